import ClassicControl
import Foundation
import GymCore
import GymProtocol
import GymServer
import Recorder
import Testing

/// Collects what the assembler hands over.
final class CollectingSink: EpisodeSink {
    var batches: [BatchRecord] = []
    var episodes: [EpisodeBuffer] = []
    func made(_ batch: BatchRecord, seed: UInt64?, make: [UInt8], spec: [UInt8], time: Double) { batches.append(batch) }
    func closed(_ batch: BatchRecord, time: Double) {}
    func finished(_ episode: EpisodeBuffer) { episodes.append(episode) }
}

/// Events produced by the daemon's own request handling (router, worker, event encoding) for
/// one client's CartPole batch.
final class EventSource {
    private let router: RequestRouter
    private let worker: EnvWorker
    private var id: UInt64 = 0
    private(set) var events: [Gym_V1_Event] = []
    private(set) var handle: UInt64 = 0
    private var sampler = NumPyGenerator(seed: 9)

    init() throws {
        var registry = EnvRegistry()
        for spec in CartPole.specs() { try registry.register(spec) }
        router = RequestRouter(configuration: DaemonConfiguration(bind: "inproc://unused", workers: 1, registry: registry))
        worker = EnvWorker(registry: registry)
    }

    @discardableResult
    func send(_ body: Gym_V1_Request.OneOf_Body, seeds: [UInt64]? = nil) throws -> Gym_V1_Response {
        id += 1
        let request: [UInt8] = try Gym_V1_Request.with { $0.id = id; $0.body = body }.serializedBytes()
        guard case .dispatch(_, let job) = router.route(client: ClientID([1, 2, 3]), frames: [request], now: 0) else {
            throw GymError(.internalError, "not dispatched")
        }
        let response = try Gym_V1_Response(serializedBytes: worker.execute(job).frames?.last ?? [])
        if let error = response.gymError { throw error }
        if let bytes = EventEncoding.event(for: job, response: response, resetSeeds: seeds) {
            var event = try Gym_V1_Event(serializedBytes: bytes)
            event.sequence = UInt64(events.count + 1)
            events.append(event)
        }
        return response
    }

    func make(count: Int, autoreset: AutoresetMode) throws {
        handle = try send(.make(.with { $0.envID = "CartPole-v1"; $0.numEnvs = UInt32(count); $0.autoreset = autoreset.wire })).make.handle
        try send(.reset(.with { $0.handle = handle; $0.seeds = [0] }), seeds: (0..<UInt64(count)).map { $0 })
    }

    func randomSteps(_ steps: Int, count: Int) throws {
        for _ in 0..<steps {
            let actions = (0..<count).map { _ in Double(sampler.integers(low: 0, high: 2)) }
            try send(.step(.with { $0.handle = handle; $0.actions = [Gym_V1_Tensor(NDArray(dtype: .int64, shape: [count], values: actions))] }))
        }
    }
}

@Suite struct EpisodeAssemblerTests {
    static func floats(_ bytes: [UInt8]) -> [Float] {
        bytes.withUnsafeBytes { raw in (0..<(raw.count / 4)).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) } }
    }

    @Test(arguments: [AutoresetMode.nextStep, .sameStep])
    func episodesEndWithTheirFinalObservationAndRestartFromAReset(mode: AutoresetMode) throws {
        let source = try EventSource()
        try source.make(count: 4, autoreset: mode)
        try source.randomSteps(300, count: 4)
        let sink = CollectingSink()
        let assembler = EpisodeAssembler(sink: sink)
        for event in source.events { try assembler.consume(event) }
        let terminated = sink.episodes.filter { $0.endKind == .terminated }
        #expect(terminated.count > 20)
        for episode in sink.episodes {
            #expect(episode.observations.count == (episode.length + 1) * 16)
            #expect(episode.actions.count == episode.length * 8)
            let first = Self.floats(Array(episode.observations.prefix(16)))
            #expect(first.allSatisfy { abs($0) <= 0.05 }, "episode \(episode.id) does not start from a reset: \(first)")
        }
        for episode in terminated {
            let last = Self.floats(Array(episode.observations.suffix(16)))
            #expect(abs(last[0]) > 2.4 || abs(last[2]) > 12 * 2 * .pi / 360, "episode \(episode.id) ends in a non-terminal state \(last)")
        }
        // Each slot's episodes form one lineage from the seeded reset.
        for slot in 0..<4 {
            let lineage = sink.episodes.filter { $0.envIndex == slot }
            #expect(lineage.map(\.lineageIndex) == lineage.indices.map { $0 })
            #expect(lineage.first?.seed == UInt64(slot) && lineage.dropFirst().allSatisfy { $0.seed == nil })
            let kinds = Set(lineage.dropFirst().map(\.startKind))
            #expect(kinds == [mode == .nextStep ? .nextStep : .sameStep])
        }
        let envSteps = assembler.counters.steps + assembler.counters.autoresetSteps
        let running = UInt64(assembler.runningEpisodes)
        #expect(running <= 4)
        try assembler.finishRunning()
        #expect(assembler.counters.steps + assembler.counters.autoresetSteps == 300 * 4)
        #expect(envSteps <= 300 * 4)
    }

    @Test func aSequenceGapDropsTheRunningEpisodesWholeUntilTheNextReset() throws {
        let source = try EventSource()
        try source.make(count: 4, autoreset: .nextStep)
        try source.randomSteps(5, count: 4)
        try source.randomSteps(5, count: 4)
        try source.send(.reset(.with { $0.handle = source.handle; $0.seeds = [50] }), seeds: [50, 51, 52, 53])
        try source.randomSteps(5, count: 4)
        let sink = CollectingSink()
        let assembler = EpisodeAssembler(sink: sink)
        // Lose the 4th step event (make, reset, then steps 1 to 10).
        for (index, event) in source.events.enumerated() where index != 2 + 3 { try assembler.consume(event) }
        try assembler.finishRunning()
        let counters = assembler.counters
        #expect(counters.lostEvents == 1)
        #expect(counters.discardedEpisodes == 4)
        #expect(counters.discardedSteps == 12)
        #expect(counters.skippedSteps == 6 * 4)
        // What is stored: only the four episodes from the seeded reset after the gap, whole.
        #expect(sink.episodes.count == 4)
        #expect(sink.episodes.allSatisfy { $0.length == 5 && $0.seed != nil && $0.lineageIndex == 0 })
    }
}

/// Events are input (issue 13): the event decoder must not trap on a peer's numbers.
@Suite struct HostileEventTests {
    @Test func aSequenceNumberOf2To64Minus1IsNotAnOverflow() throws {
        let assembler = EpisodeAssembler(sink: CollectingSink())
        try assembler.consume(Gym_V1_Event.with { $0.sequence = .max; $0.attached = .init() })
        try assembler.consume(Gym_V1_Event.with { $0.sequence = 5; $0.attached = .init() })
        try assembler.consume(Gym_V1_Event.with { $0.sequence = .max; $0.attached = .init() })
        #expect(assembler.counters.events == 3)
    }

    @Test func aBatchOfBillionsOfEnvsIsMalformedNotAnAllocation() throws {
        let source = try EventSource()
        try source.make(count: 2, autoreset: .nextStep)
        var make = try #require(source.events.first)
        make.make.reply.numEnvs = .max
        let assembler = EpisodeAssembler(sink: CollectingSink())
        let error = try #require(throws: GymError.self) { try assembler.consume(make) }
        #expect(error.code == .malformed)
    }
}
