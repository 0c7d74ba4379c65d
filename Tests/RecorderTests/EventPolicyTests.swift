import ClassicControl
import Foundation
import GymClient
import GymCore
import GymProtocol
import GymServer
import Logging
import Recorder
import Testing
import ZeroMQ

/// The daemon's two answers to a subscriber that does not keep up, with a real XPUB socket, a
/// SUB socket that stops reading, and a client stepping over loopback TCP.
@Suite(.serialized) struct EventPolicyTests {
    static func daemon(policy: EventPolicy, stallSeconds: Double = 60, logger: Logger = Logger(label: "gym.daemon")) throws -> Daemon {
        var registry = EnvRegistry()
        for spec in CartPole.specs() { try registry.register(spec) }
        var configuration = DaemonConfiguration(bind: "tcp://127.0.0.1:*", workers: 1, registry: registry)
        configuration.events = "tcp://127.0.0.1:*"
        configuration.eventPolicy = policy
        configuration.eventQueueBytes = 32 << 10
        configuration.eventHighWaterMark = 4
        configuration.eventStallSeconds = stallSeconds
        let daemon = try Daemon(configuration: configuration, logger: logger)
        try daemon.start()
        return daemon
    }

    /// A subscriber that is attached (it saw the notice) and then reads nothing.
    static func stalledSubscriber(_ daemon: Daemon) throws -> Socket {
        let socket = try Socket(.shared, .sub)
        try socket.setReceiveHighWaterMark(4)
        // A small kernel buffer, so the daemon finds it full after a few events, not megabytes.
        try socket.setReceiveBuffer(bytes: 8192)
        try socket.setReceiveTimeout(milliseconds: 5000)
        try socket.subscribe()
        try socket.connect(try #require(daemon.events?.endpoint))
        let notice = try Gym_V1_Event(serializedBytes: socket.receiveFrame().bytes)
        #expect(notice.attached.policy == daemon.configuration.eventPolicy.rawValue)
        return socket
    }

    @Test func dropPolicyCountsWhatItDropsAndTheSubscriberSeesTheSameGaps() throws {
        let daemon = try Self.daemon(policy: .drop)
        defer { daemon.shutdown() }
        let subscriber = try Self.stalledSubscriber(daemon)
        defer { subscriber.close() }
        let connection = try GymConnection(endpoint: daemon.endpoint, timeout: 10)
        let envs = try RemoteVectorEnv(connection: connection, id: "CartPole-v1", count: 64, seed: 1)
        _ = try envs.reset()
        var ends = 0
        func step() throws {
            let step = try envs.step(discrete: Array(repeating: 1, count: 64))
            ends += zip(step.terminated, step.truncated).filter { $0 || $1 }.count
        }
        for _ in 0..<6000 { try step() }
        // The client was never slowed down; now read everything that did arrive, then take one
        // more step, whose event shows any gap left at the end of the stream.
        let sink = CollectingSink()
        let assembler = EpisodeAssembler(sink: sink)
        try subscriber.setReceiveTimeout(milliseconds: 500)
        func drain() throws {
            while let frame = try? subscriber.receiveFrame().bytes {
                try frame.withUnsafeBytes { try assembler.consume($0) }
            }
        }
        try drain()
        try step()
        try drain()
        let dropped = try #require(daemon.events?.statistics.dropped)
        #expect(dropped > 0)
        // Every event produced after the attach was either received or counted as dropped.
        #expect(assembler.counters.lostEvents == dropped)
        // Every episode the client saw end is stored or counted as dropped: the daemon counts
        // those that ended inside dropped events, the recorder those it saw end without their
        // start. Only the 64 episodes still running may be counted before their end.
        let counters = assembler.counters
        let accounted = sink.episodes.count + Int(counters.droppedEpisodes)
        #expect(counters.daemonDroppedEpisodes > 0)
        #expect(counters.daemonDroppedEpisodes == daemon.events?.statistics.droppedEpisodeEnds)
        #expect(accounted >= ends && accounted <= ends + 64, "\(ends) ended: \(sink.episodes.count) stored, \(counters.discardedEpisodes) discarded, \(counters.daemonDroppedEpisodes) in dropped events")
        print("drop policy: \(ends) episodes ended; \(sink.episodes.count) stored, \(counters.discardedEpisodes) discarded by the recorder, \(counters.daemonDroppedEpisodes) ended in dropped events")
    }

    /// Within the stall time (here a minute) a silent subscriber holds the clients back.
    @Test func blockPolicySlowsTheClientAndLosesNothing() throws {
        let daemon = try Self.daemon(policy: .block)
        defer { daemon.shutdown() }
        let subscriber = try Self.stalledSubscriber(daemon)
        defer { subscriber.close() }
        let connection = try GymConnection(endpoint: daemon.endpoint, timeout: 1)
        let envs = try RemoteVectorEnv(connection: connection, id: "CartPole-v1", count: 64, seed: 1)
        _ = try envs.reset()
        // With nobody reading, a step eventually waits for room: the client times out.
        var timedOut = false
        for _ in 0..<6000 {
            do {
                _ = try envs.step(discrete: Array(repeating: 1, count: 64))
            } catch let error as GymError where error.code == .timedOut {
                timedOut = true
                break
            }
        }
        #expect(timedOut)
        // Reading resumes the flow; nothing was dropped and the sequence has no gap.
        let assembler = EpisodeAssembler(sink: CollectingSink())
        try subscriber.setReceiveTimeout(milliseconds: 1000)
        while let frame = try? subscriber.receiveFrame().bytes {
            try frame.withUnsafeBytes { try assembler.consume($0) }
        }
        #expect(daemon.events?.statistics.dropped == 0)
        #expect(assembler.counters.lostEvents == 0)
        #expect(assembler.counters.events > 10)
    }
}
