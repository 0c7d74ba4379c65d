import ClassicControl
import Foundation
import GymCore
import GymProtocol
import GymServer
import Recorder

/// `gym record --measure-steps`: how fast the recorder stores CartPole steps, without sockets.
///
/// Steps a CartPole batch through the daemon's own request handling (router and worker), encodes
/// each job's event exactly as a daemon with an attached recorder does, then times decoding,
/// assembling episodes and writing them to SQLite (commits included).
enum RecordMeasurement {
    static func run(steps: Int, batch: Int, path: String) throws -> [(String, JSONText)] {
        let events = try encodedEvents(envSteps: steps, batch: batch)
        let recorder = try EpisodeStore(path: path, source: "gym record --measure-steps")
        let next = try recorder.nextIDs()
        let assembler = EpisodeAssembler(sink: recorder, firstEpisodeID: next.episode, firstBatchID: next.batch)
        let bytes = events.reduce(0) { $0 + $1.count }
        let start = DispatchTime.now().uptimeNanoseconds
        let cpuStart = threadCPUSeconds()
        var lastCommit = start
        for event in events {
            try event.withUnsafeBytes { try assembler.consume($0) }
            let now = DispatchTime.now().uptimeNanoseconds
            if now - lastCommit >= 500_000_000 {
                try recorder.commit()
                lastCommit = now
            }
        }
        try assembler.finishRunning()
        try recorder.commit()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let cpuSeconds = threadCPUSeconds() - cpuStart
        let counters = assembler.counters
        return [
            ("out", .string(path)),
            ("env", .string("CartPole-v1")),
            ("batch", .int(Int64(batch))),
            ("events", .int(Int64(events.count))),
            ("event_bytes", .int(Int64(bytes))),
            ("episodes", .int(Int64(counters.episodes))),
            ("steps", .int(Int64(counters.steps))),
            ("env_steps", .int(Int64(counters.steps + counters.autoresetSteps))),
            ("commits", .int(Int64(recorder.commits))),
            ("seconds", .double(seconds)),
            ("steps_per_s", .double(Double(counters.steps) / seconds)),
            ("env_steps_per_s", .double(Double(counters.steps + counters.autoresetSteps) / seconds)),
            // On a shared machine the wall clock includes time other processes held the core.
            ("cpu_seconds", .double(cpuSeconds)),
            ("steps_per_cpu_s", .double(Double(counters.steps) / cpuSeconds)),
        ]
    }

    /// CPU time this thread has used (decoding, assembling and SQLite all run on it).
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// A make, a seeded reset and enough random batched steps for `envSteps` env-steps, encoded
    /// as events with consecutive sequence numbers.
    static func encodedEvents(envSteps: Int, batch: Int) throws -> [[UInt8]] {
        var registry = EnvRegistry()
        for spec in CartPole.specs() { try registry.register(spec) }
        let configuration = DaemonConfiguration(bind: "inproc://unused", workers: 1, registry: registry, name: "measure")
        let router = RequestRouter(configuration: configuration)
        let worker = EnvWorker(registry: registry)
        let client = ClientID([0, 7, 7, 7, 7])
        var events: [[UInt8]] = []
        var sequence: UInt64 = 1
        func run(_ body: Gym_V1_Request.OneOf_Body, seeds: [UInt64]? = nil) throws -> Gym_V1_Response {
            let request: [UInt8] = try Gym_V1_Request.with { $0.id = sequence; $0.body = body }.serializedBytes()
            guard case .dispatch(_, let job) = router.route(client: client, frames: [request], now: 0) else {
                throw GymError(.internalError, "the router answered a request that needs a worker")
            }
            let completion = worker.execute(job)
            let response = try Gym_V1_Response(serializedBytes: completion.frames?.last ?? [])
            if let error = response.gymError { throw error }
            if let event = EventEncoding.event(for: job, response: response, resetSeeds: seeds) {
                events.append(EventEncoding.sequencePrefix(sequence) + event)
                sequence += 1
            }
            return response
        }
        let handle = try run(.make(.with { $0.envID = "CartPole-v1"; $0.numEnvs = UInt32(batch); $0.seed = 0 })).make.handle
        _ = try run(.reset(.with { $0.handle = handle }), seeds: (0..<UInt64(batch)).map { $0 })
        var sampler = NumPyGenerator(seed: 1)
        for _ in 0..<((envSteps + batch - 1) / batch) {
            let actions = (0..<batch).map { _ in Double(sampler.integers(low: 0, high: 2)) }
            let tensor = Gym_V1_Tensor(NDArray(dtype: .int64, shape: [batch], values: actions))
            _ = try run(.step(.with { $0.handle = handle; $0.actions = [tensor] }))
        }
        return events
    }
}
