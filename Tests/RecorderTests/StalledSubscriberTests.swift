import Foundation
import GymClient
import GymCore
import GymProtocol
import GymServer
import GymTestSupport
import Recorder
import Testing
import ZeroMQ

/// Under the block policy a subscriber that connects and never reads is cut off after the stall
/// time: the clients keep stepping, a subscriber that keeps up still gets every event, and the
/// daemon logs the cut-off and counts what the silent one lost (real sockets, loopback TCP).
@Suite(.serialized) struct StalledSubscriberTests {
    /// A subscriber on a thread of its own that reads everything into an assembler.
    final class Reader: @unchecked Sendable {
        let assembler = EpisodeAssembler(sink: CollectingSink())
        private let stopping = LockedBox(false)
        private let done = DispatchSemaphore(value: 0)
        private let socket: Socket
        private(set) var error: Error?

        init(endpoint: String) throws {
            socket = try Socket(.shared, .sub)
            try socket.setReceiveTimeout(milliseconds: 100)
            try socket.subscribe()
            try socket.connect(endpoint)
            // Wait for the attach notice, so every later event is meant for this reader.
            try socket.setReceiveTimeout(milliseconds: 5000)
            let notice = try socket.receiveFrame().bytes
            try notice.withUnsafeBytes { try assembler.consume($0) }
            try socket.setReceiveTimeout(milliseconds: 100)
            Thread { [self] in
                while !stopping.value {
                    do {
                        let frame = try socket.receiveFrame().bytes
                        try frame.withUnsafeBytes { try assembler.consume($0) }
                    } catch let error as ZMQError where error.code == .timedOut {
                        continue
                    } catch {
                        self.error = error
                        break
                    }
                }
                done.signal()
            }.start()
        }

        /// Reads what is still on its way, then stops and closes the socket.
        func stop() {
            Thread.sleep(forTimeInterval: 0.3)
            stopping.update { $0 = true }
            done.wait()
            socket.close()
        }
    }

    @Test func aSubscriberThatNeverReadsIsCutOffWhileTheClientsKeepStepping() throws {
        let log = CapturedLog()
        let daemon = try EventPolicyTests.daemon(policy: .block, stallSeconds: 0.5, logger: log.logger)
        defer { daemon.shutdown() }
        let events = try #require(daemon.events)
        let silent = try EventPolicyTests.stalledSubscriber(daemon)
        defer { silent.close() }
        let reader = try Reader(endpoint: events.endpoint)

        // Two clients step far past what the silent subscriber's queues hold; every step is answered
        // (a 10 s client timeout, against a 0.5 s stall time).
        let steps = 3000
        let results = LockedBox<[Result<Int, Error>]>([])
        let group = DispatchGroup()
        for seed in [1, 2] as [UInt64] {
            group.enter()
            Thread {
                let result = Result { () throws -> Int in
                    let envs = try RemoteVectorEnv(connection: try GymConnection(endpoint: daemon.endpoint, timeout: 10),
                                                   id: "CartPole-v1", count: 16, seed: seed)
                    _ = try envs.reset()
                    for _ in 0..<steps { _ = try envs.step(discrete: Array(repeating: 1, count: 16)) }
                    try envs.close()
                    return steps
                }
                results.update { $0.append(result) }
                group.leave()
            }.start()
        }
        group.wait()
        for result in results.value { #expect(try result.get() == steps) }
        reader.stop()
        #expect(reader.error == nil)

        let statistics = events.statistics
        #expect(statistics.detachedSubscribers >= 1)
        #expect(statistics.detachedLostEvents > 0)
        #expect(statistics.dropped == 0)
        #expect(log.messages.contains { $0.level == .warning && $0.text.contains("cut it off") }, "\(log.messages.map(\.text))")
        // The subscriber that kept up lost nothing: every step of both clients is there.
        #expect(reader.assembler.counters.lostEvents == 0)
        #expect(reader.assembler.counters.events >= UInt64(2 * (steps + 3)))

        // The silent subscriber, reading at last, finds the gap its cut-off left.
        let assembler = EpisodeAssembler(sink: CollectingSink())
        try silent.setReceiveTimeout(milliseconds: 300)
        func drain() throws {
            while let frame = try? silent.receiveFrame().bytes { try frame.withUnsafeBytes { try assembler.consume($0) } }
        }
        try drain()
        let envs = try RemoteVectorEnv(connection: try GymConnection(endpoint: daemon.endpoint, timeout: 10), id: "CartPole-v1", count: 1)
        _ = try envs.reset()
        try drain()
        #expect(assembler.counters.lostEvents > 0)
        #expect(assembler.counters.lostEvents <= events.statistics.detachedLostEvents)
        print("silent subscriber cut off \(statistics.detachedSubscribers) time(s); daemon counted \(statistics.detachedLostEvents) event(s) lost to it, it saw a gap of \(assembler.counters.lostEvents); the reader got \(reader.assembler.counters.events) event(s), none lost")
    }
}
