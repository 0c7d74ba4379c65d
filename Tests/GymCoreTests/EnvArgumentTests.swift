import GymCore
import Testing

@Suite struct EnvArgumentTests {
    /// A spec with one kwarg of each settable type.
    let spec = EnvSpec(id: "Probe-v0", observationSpace: .discrete(n: 2, start: 0), actionSpace: .discrete(n: 2, start: 0),
                       maxEpisodeSteps: nil, rewardThreshold: nil,
                       kwargs: ["gravity": .number(9.8), "size": .integer(4), "is_slippery": .flag(true), "map_name": .text("4x4")],
                       factory: { _ in throw GymError(.notSupported, "not built in this test") })

    @Test func eachValueIsReadAsItsDefaultsType() throws {
        let values = try spec.arguments(["gravity=1.5", "size=8", "is_slippery=false", "map_name=8x8", "gravity=2"])
        #expect(values == ["gravity": .number(2), "size": .integer(8), "is_slippery": .flag(false), "map_name": .text("8x8")])
        #expect(try spec.arguments(["is_slippery=1", "map_name=a=b"]) == ["is_slippery": .flag(true), "map_name": .text("a=b")])
        #expect(try spec.arguments([]).isEmpty)
    }

    @Test func badWordsAreErrorsListingWhatTheEnvTakes() {
        for (word, says) in [("speed=1", "takes no argument 'speed'"), ("gravity=abc", "gravity=abc is not a number"),
                             ("gravity=nan", "is not a number"), ("size=1.5", "is not an integer"),
                             ("is_slippery=maybe", "is not true or false"), ("gravity", "is not KEY=VALUE")] {
            do {
                _ = try spec.arguments([word])
                Issue.record("\(word) was accepted")
            } catch let error as GymError {
                #expect(error.code == .invalidArgument)
                #expect(error.message.contains(says), "\(error.message)")
                #expect(error.message.contains("gravity (a number), is_slippery (true or false), map_name (text), size (an integer)"))
            } catch {
                Issue.record("\(word): \(error)")
            }
        }
    }

    @Test func aLongKeyIsClippedInTheMessage() {
        #expect(throws: GymError.self) { try spec.arguments([String(repeating: "k", count: 100_000) + "=1"]) }
        do {
            _ = try spec.arguments([String(repeating: "k", count: 100_000) + "=1"])
        } catch let error as GymError {
            #expect(error.message.utf8.count < 1_000)
        } catch {
            Issue.record("\(error)")
        }
    }
}
