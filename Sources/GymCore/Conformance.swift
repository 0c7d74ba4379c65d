/// One suite every environment must pass, in the manner of dm_env's conformance mixin: run it
/// over a spec and it returns what is wrong (nothing, for a conforming environment).
///
/// It checks that the spec is valid; observations lie in the declared space; reset is
/// deterministic by seed and the seed matters; stepping is deterministic; termination and
/// truncation are distinct and truncation comes exactly at the time limit; the declared
/// autoreset modes behave as documented; and render has the declared shape.
public enum Conformance {
    /// The problems found with `spec`, each a sentence; empty when it conforms.
    public static func check(_ spec: EnvSpec, seeds: [UInt64] = [0, 1, 2, 3, 4], maxSteps: Int = 1_000) -> [String] {
        var problems: [String] = []
        func note(_ text: String) { problems.append("\(spec.id): \(text)") }
        for (name, space) in [("observation", spec.observationSpace), ("action", spec.actionSpace)] {
            if let problem = space.validationProblem { note("invalid \(name) space: \(problem)") }
        }
        if let limit = spec.maxEpisodeSteps, limit <= 0 { note("max_episode_steps must be positive or absent") }
        guard problems.isEmpty else { return problems }
        do {
            try checkEpisodes(spec, seeds: seeds, maxSteps: maxSteps, note: note)
            try checkTimeLimit(spec, note: note)
            try checkAutoreset(spec, note: note)
            try checkRender(spec, note: note)
        } catch {
            note("failed with \(error)")
        }
        return problems
    }

    /// One seeded episode: observations, rewards and flags, as bytes and values.
    struct Episode: Equatable {
        var observations: [[UInt8]] = []
        var rewards: [Double] = []
        var terminated: [UInt8] = []
        var truncated: [UInt8] = []
    }

    static func episode(_ spec: EnvSpec, seed: UInt64, maxSteps: Int, note: (String) -> Void) throws -> Episode {
        let batch = try EnvBatch(spec: spec, count: 1, autoreset: .disabled)
        var random = NumPyGenerator(seed: seed &+ 77)
        var episode = Episode()
        try batch.reset(seeds: [seed])
        episode.observations.append(batch.observations)
        checkInSpace(spec, batch.observations, when: "after reset(seed: \(seed))", note: note)
        for t in 1...maxSteps {
            let action = NDArray(dtype: spec.actionSpace.leaves[0].dtype, shape: [1] + spec.actionSpace.shape,
                                 bytes: spec.actionSpace.sample(using: &random))
            try batch.step(actions: spec.actionSpace.leaves.count == 1 ? [action] : split(action, spec.actionSpace))
            episode.observations.append(batch.observations)
            episode.rewards.append(batch.rewards[0])
            episode.terminated.append(batch.terminated[0])
            episode.truncated.append(batch.truncated[0])
            checkInSpace(spec, batch.observations, when: "at step \(t) of seed \(seed)", note: note)
            if !batch.rewards[0].isFinite { note("reward \(batch.rewards[0]) at step \(t) is not finite") }
            if batch.terminated[0] != 0 || batch.truncated[0] != 0 { break }
        }
        return episode
    }

    static func split(_ array: NDArray, _ space: Space) -> [NDArray] {
        var offset = 0
        return space.leaves.map { leaf in
            defer { offset += leaf.byteCount }
            return NDArray(dtype: leaf.dtype, shape: [1] + leaf.shape, bytes: Array(array.bytes[offset..<(offset + leaf.byteCount)]))
        }
    }

    static func checkInSpace(_ spec: EnvSpec, _ bytes: [UInt8], when: String, note: (String) -> Void) {
        var offset = 0
        for leaf in spec.observationSpace.leaves {
            let slice = Array(bytes[offset..<(offset + leaf.byteCount)])
            if let (_, element) = slice.withUnsafeBytes({ leaf.firstOutOfRange($0, count: 1) }) {
                let value = slice.withUnsafeBytes { leaf.dtype.load($0, at: element) }
                note("observation element \(element) = \(value) lies outside \(leaf.summary) \(when)")
            }
            offset += leaf.byteCount
        }
    }

    static func checkEpisodes(_ spec: EnvSpec, seeds: [UInt64], maxSteps: Int, note: (String) -> Void) throws {
        var firstObservations: Set<[UInt8]> = []
        for seed in seeds {
            let first = try episode(spec, seed: seed, maxSteps: maxSteps, note: note)
            let second = try episode(spec, seed: seed, maxSteps: maxSteps, note: { _ in })
            if first.observations.first != second.observations.first {
                note("reset(seed: \(seed)) is not deterministic")
            } else if first != second {
                note("stepping from seed \(seed) with the same actions is not deterministic")
            }
            if let limit = spec.maxEpisodeSteps, let index = first.truncated.firstIndex(of: 1), index + 1 != limit {
                note("seed \(seed): truncated at step \(index + 1), not at the time limit \(limit)")
            }
            if let limit = spec.maxEpisodeSteps, first.rewards.count > limit {
                note("seed \(seed): the episode ran past its time limit \(limit)")
            }
            firstObservations.insert(first.observations.first ?? [])
        }
        if seeds.count > 1 && firstObservations.count == 1 {
            note("reset gives the same observation for every seed: the seed is ignored")
        }
    }

    static func checkTimeLimit(_ spec: EnvSpec, note: (String) -> Void) throws {
        // With a short limit, every episode ends by truncation at exactly that step unless it terminates first.
        let limit = 3
        let batch = try EnvBatch(spec: spec, count: 4, seed: 9, maxEpisodeSteps: limit, autoreset: .disabled)
        try batch.reset()
        var random = NumPyGenerator(seed: 9)
        for t in 1...limit {
            try batch.step(actions: try sampleBatch(spec, count: 4, random: &random))
            for index in 0..<4 {
                if batch.truncated[index] != 0 && t != limit { note("truncated at step \(t) with max_episode_steps \(limit)") }
                if t == limit && batch.terminated[index] == 0 && batch.truncated[index] == 0 {
                    note("not truncated at max_episode_steps \(limit)")
                }
            }
            // Autoreset is disabled: once any env has ended, stepping the batch again is an error.
            if batch.terminated.contains(1) || batch.truncated.contains(1) { break }
        }
    }

    static func sampleBatch(_ spec: EnvSpec, count: Int, random: inout NumPyGenerator) throws -> [NDArray] {
        var bytes: [UInt8] = []
        for _ in 0..<count { bytes += spec.actionSpace.sample(using: &random) }
        let leaves = spec.actionSpace.leaves
        guard leaves.count == 1, let leaf = leaves.first else {
            throw GymError(.notSupported, "conformance sampling of composite action spaces")
        }
        return [NDArray(dtype: leaf.dtype, shape: [count] + leaf.shape, bytes: bytes)]
    }

    static func checkAutoreset(_ spec: EnvSpec, note: (String) -> Void) throws {
        for mode in [AutoresetMode.nextStep, .sameStep] {
            let batch = try EnvBatch(spec: spec, count: 2, seed: 3, maxEpisodeSteps: 2, autoreset: mode)
            try batch.reset()
            var random = NumPyGenerator(seed: 3)
            for _ in 0..<2 { try batch.step(actions: try sampleBatch(spec, count: 2, random: &random)) }
            let ended = (0..<2).filter { batch.terminated[$0] != 0 || batch.truncated[$0] != 0 }
            if ended.count != 2 { note("\(mode): both envs should have ended within the 2-step limit") }
            switch mode {
            case .sameStep:
                if batch.finalIndices != ended { note("same-step: final observations for \(batch.finalIndices), ended \(ended)") }
                checkInSpace(spec, batch.observations, when: "after a same-step autoreset", note: note)
            default:
                try batch.step(actions: try sampleBatch(spec, count: 2, random: &random))
                if batch.rewards != [0, 0] || batch.terminated != [0, 0] || batch.truncated != [0, 0] {
                    note("next-step: the autoreset step must have reward 0 and no flags")
                }
                checkInSpace(spec, batch.observations, when: "after a next-step autoreset", note: note)
            }
        }
        let disabled = try EnvBatch(spec: spec, count: 1, seed: 3, maxEpisodeSteps: 1, autoreset: .disabled)
        try disabled.reset()
        var random = NumPyGenerator(seed: 4)
        try disabled.step(actions: try sampleBatch(spec, count: 1, random: &random))
        do {
            try disabled.step(actions: try sampleBatch(spec, count: 1, random: &random))
            note("disabled autoreset: stepping an ended episode must fail")
        } catch let error as GymError where error.code == .resetNeeded {}
    }

    static func checkRender(_ spec: EnvSpec, note: (String) -> Void) throws {
        let batch = try EnvBatch(spec: spec, count: 1, seed: 0)
        try batch.reset()
        guard let size = spec.renderSize else {
            do {
                _ = try batch.render(index: 0)
                note("renders a frame but declares no render size")
            } catch let error as GymError where error.code == .notSupported {}
            return
        }
        let frame = try batch.render(index: 0)
        if frame.width != size.width || frame.height != size.height || frame.pixels.count != size.width * size.height * 3 {
            note("render gave \(frame.width)×\(frame.height), declared \(size.width)×\(size.height)")
        }
    }
}
