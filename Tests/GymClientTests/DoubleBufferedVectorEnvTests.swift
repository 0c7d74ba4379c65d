import Foundation
import GymClient
import GymCore
import Testing

/// Two halves with one step always in flight give exactly the episodes one synchronous batch
/// of the same envs gives, and misuse is a typed error rather than a hang.
@Suite struct DoubleBufferedVectorEnvTests {
    @Test(arguments: ["tcp://127.0.0.1:*", "inproc://double-buffered-test"])
    func halvesInFlightMatchOneSynchronousBatch(bind: String) throws {
        let daemon = try startDaemon(bind: bind)
        defer { daemon.shutdown() }
        let connection = try GymConnection(endpoint: daemon.endpoint)
        let count = 7
        let whole = try RemoteVectorEnv(connection: connection, id: "CartPole-v1", count: count)
        let doubled = try DoubleBufferedVectorEnv(connection: connection, id: "CartPole-v1", count: count)
        #expect(doubled.halves.map(\.count) == [3, 4])
        let resetWhole = try whole.reset(seeds: [11])
        let resetHalves = try doubled.reset(seeds: [11])
        #expect(resetHalves[0].observations[0].floats + resetHalves[1].observations[0].floats == resetWhole.observations[0].floats)
        func actions(_ range: Range<Int>, step: Int) -> [NDArray] {
            [NDArray(dtype: .int64, shape: [range.count], values: range.map { Double(($0 + step / 3) % 2) })]
        }
        let ranges = [0..<3, 3..<count]
        for half in 0..<2 { try doubled.send(half, actions(ranges[half], step: 0)) }
        var ended = 0
        for step in 0..<60 {
            let expected = try whole.step(actions(0..<count, step: step))
            var observations: [Float] = [], rewards: [Double] = [], terminated: [Bool] = []
            for half in 0..<2 {
                let got = try doubled.receive(half)
                observations += got.observations[0].floats
                rewards += got.rewards
                terminated += got.terminated
                try doubled.send(half, actions(ranges[half], step: step + 1))
            }
            #expect(observations.map(\.bitPattern) == expected.observations[0].floats.map(\.bitPattern))
            #expect(rewards == expected.rewards)
            #expect(terminated == expected.terminated)
            ended += expected.terminated.filter { $0 }.count
        }
        #expect(ended > 0, "the run should cross episode ends")
        #expect(throws: GymError.self) { try doubled.send(0, actions(ranges[0], step: 0)) }
        #expect(throws: GymError.self) { _ = try doubled.reset() }
        try doubled.close()
        try whole.close()
    }

    @Test func misuseIsATypedError() throws {
        let daemon = try startDaemon()
        defer { daemon.shutdown() }
        let connection = try GymConnection(endpoint: daemon.endpoint)
        #expect(throws: GymError.self) { _ = try DoubleBufferedVectorEnv(connection: connection, id: "CartPole-v1", count: 1) }
        let doubled = try DoubleBufferedVectorEnv(connection: connection, id: "CartPole-v1", count: 4)
        #expect(throws: GymError.self) { _ = try doubled.receive(0) }
        #expect(throws: GymError.self) { try doubled.send(2, []) }
        #expect(throws: GymError.self) { _ = try doubled.reset(seeds: [1, 2, 3]) }
        try doubled.close()
    }
}
