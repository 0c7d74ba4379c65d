import Testing

import GymCore

/// An environment that writes its info into a buffer gets the map-building `step` for free:
/// the same keys, numbers as numbers, integers as integers.
@Suite struct FixedStepInfoTests {
    final class Counter: FixedStepInfo {
        var steps = 0
        let stepInfoKeys: [StepInfoKey] = [.number("half"), .integer("steps"), .number("negative")]

        func reset(seed: UInt64?, options: ValueMap, observation: UnsafeMutableRawBufferPointer) throws -> ValueMap {
            steps = 0
            return [:]
        }

        func step(action: UnsafeRawBufferPointer, observation: UnsafeMutableRawBufferPointer,
                  info: UnsafeMutableBufferPointer<Double>) throws -> StepResult {
            steps += 1
            info[0] = Double(steps) / 2
            info[1] = Double(steps)
            info[2] = -Double(steps) * 1e300
            return StepResult(reward: 1, terminated: steps == 3)
        }
    }

    @Test func theMapHoldsEveryKeyWithItsKind() throws {
        let env = Counter()
        var results: [StepResult] = []
        try withUnsafeTemporaryAllocation(byteCount: 8, alignment: 8) { observation in
            for _ in 0..<3 { results.append(try env.step(action: UnsafeRawBufferPointer(start: nil, count: 0), observation: observation)) }
        }
        for (index, result) in results.enumerated() {
            let steps = Double(index + 1)
            let expected: ValueMap = ["half": .number(steps / 2), "steps": .integer(Int64(index + 1)), "negative": .number(-steps * 1e300)]
            #expect(result.info == expected)
        }
        #expect(results.map(\.terminated) == [false, false, true])
    }
}
