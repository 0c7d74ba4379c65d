"""Print the NumPy reference values embedded in NumPyRandomTests.swift.

Run `python3 make_numpy_random_fixtures.py` and paste the output over the fixture
table in NumPyRandomTests.swift. Doubles are printed as hex bit patterns so the
Swift tests can compare them exactly.
"""

import struct

import numpy as np

SEEDS = [0, 1, 42, 123456789, 2**32 + 5, 2**64 - 1]
LONG_ENTROPY = [1, 2, 3, 4, 5, 6]  # longer than the pool of four words


def gymnasium_generator(seed):
    # The same construction as gymnasium.utils.seeding.np_random(seed).
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))


def bits(value):
    return "0x%016X" % struct.unpack("<Q", struct.pack("<d", float(value)))[0]


def hex_list(values, width):
    return "[" + ", ".join("0x%0*X" % (width, int(v)) for v in values) + "]"


def bits_list(values):
    return "[" + ", ".join(bits(v) for v in values) + "]"


def int_list(values):
    return "[" + ", ".join(str(int(v)) for v in values) + "]"


def seed_fixture(seed):
    sequence = np.random.SeedSequence(seed)
    fields = {
        "seed": str(seed),
        "pool": hex_list(sequence.pool, 8),
        "state32": hex_list(sequence.generate_state(4), 8),
        "state64": hex_list(sequence.generate_state(4, np.uint64), 16),
        "raw": hex_list(gymnasium_generator(seed).bit_generator.random_raw(6), 16),
    }

    rng = gymnasium_generator(seed)
    fields["random"] = bits_list([rng.random() for _ in range(6)])

    # CartPole/Acrobot reset: uniform(-0.05, 0.05, size=(4,)).
    fields["cartPole"] = bits_list(gymnasium_generator(seed).uniform(low=-0.05, high=0.05, size=(4,)))
    # MountainCar reset: a scalar uniform(-0.6, -0.4).
    fields["mountainCar"] = bits(gymnasium_generator(seed).uniform(low=-0.6, high=-0.4))
    # Pendulum reset: element-wise bounds.
    high = np.array([np.pi, 1.0])
    fields["pendulum"] = bits_list(gymnasium_generator(seed).uniform(low=-high, high=high))

    rng = gymnasium_generator(seed)
    fields["discrete2"] = int_list([rng.integers(2) for _ in range(10)])
    fields["smallRange"] = int_list(gymnasium_generator(seed).integers(-5, 5, size=6))
    # Ranges chosen so Lemire's rejection loop runs about a quarter of the time.
    rng = gymnasium_generator(seed)
    fields["rejecting32"] = int_list([rng.integers(0, 3 * 2**30) for _ in range(8)])
    rng = gymnasium_generator(seed)
    fields["rejecting64"] = int_list([rng.integers(-(2**62), 2**63 - 1) for _ in range(8)])
    rng = gymnasium_generator(seed)
    fields["full32"] = int_list([rng.integers(0, 2**32) for _ in range(4)])
    rng = gymnasium_generator(seed)
    fields["wide"] = int_list([rng.integers(0, 2**40) for _ in range(4)])

    # Doubles never touch the spare 32 bits that small integer draws leave behind.
    rng = gymnasium_generator(seed)
    mixed = [rng.random(), rng.integers(3), rng.integers(3), rng.random(), rng.integers(3)]
    fields["interleaved"] = "[" + ", ".join(
        bits(v) if isinstance(v, float) else "0x%016X" % (int(v) & (2**64 - 1)) for v in mixed
    ) + "]"
    return fields


def main():
    print("// numpy %s" % np.__version__)
    print("let seedFixtures: [SeedFixture] = [")
    for seed in SEEDS:
        fields = seed_fixture(seed)
        print("    SeedFixture(")
        print(",\n".join("        %s: %s" % (name, value) for name, value in fields.items()))
        print("    ),")
    print("]")

    sequence = np.random.SeedSequence(LONG_ENTROPY)
    print("let longEntropyPool: [UInt32] = %s" % hex_list(sequence.pool, 8))
    raw = gymnasium_generator(LONG_ENTROPY).bit_generator.random_raw(4)
    print("let longEntropyRaw: [UInt64] = %s" % hex_list(raw, 16))


if __name__ == "__main__":
    main()
