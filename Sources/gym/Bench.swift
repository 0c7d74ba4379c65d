import ArgumentParser
import ClassicControl
import Foundation
import GymClient
import GymCore
import GymProtocol
import GymServer
import Logging

extension Gym {
    /// `gym bench`: the daemon's speed next to bare libzmq's, in one run.
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure step latency and throughput through the daemon.",
            discussion: """
            raw_zmq_rtt_us: a bare libzmq DEALER/ROUTER round trip over tcp loopback with \
            CartPole-step-sized messages (the floor). step_rtt_us: one CartPole step through the \
            daemon over tcp loopback; step_rtt_ratio is their ratio, measured side by side in each \
            repeat. vector_steps_per_s: env-steps per second for batches of 1, 16 and 256. \
            inproc_steps_per_s: CartPole stepped directly in this process. Each figure is the \
            median over --repeats runs. vector_env_steps: the env-steps each batch size made in \
            all, for dividing a daemon's CPU time (read from /proc) by. --vector-only measures \
            the batches alone, so that every request a --server daemon sees in the run is one of \
            theirs (scripts/bench-peers reads its CPU time that way). --pipelined (with \
            --vector-only) steps each batch as a DoubleBufferedVectorEnv, two halves with one step \
            always in flight: pipelined_steps_per_s and pipelined_env_steps.
            """)

        @Option(help: ArgumentHelp("Daemon to measure; without it one starts in this process on tcp loopback.", valueName: "addr"))
        var server: String?

        @Option(help: "Runs of each measurement; medians are reported.")
        var repeats = 5

        @Option(help: "Seconds each run lasts.")
        var seconds = 0.4

        @Option(help: ArgumentHelp("Batch sizes for vector_steps_per_s, comma-separated.", valueName: "sizes"))
        var batchSizes = "1,16,256"

        @Option(help: ArgumentHelp("For the embedded daemon: the endpoint it binds (tcp://127.0.0.1:*, ipc://PATH or inproc://NAME).", valueName: "addr"))
        var bind = "tcp://127.0.0.1:*"

        @Flag(help: "Measure only vector_steps_per_s (no latency, in-process or handler runs).")
        var vectorOnly = false

        @Option(help: "For the embedded daemon: microseconds its socket thread watches for a finished job before sleeping.")
        var spinUs: Double = 0

        @Option(help: "For the embedded daemon: microseconds an idle worker watches for the next job before sleeping.")
        var workerSpinUs: Double = 0

        @Flag(help: "With --vector-only: step each batch double-buffered (DoubleBufferedVectorEnv, two halves in flight) and report pipelined_steps_per_s and pipelined_env_steps instead.")
        var pipelined = false

        @Flag(help: "Print one JSON object as the last line.")
        var json = false

        @Flag(help: "Also measure an embedded daemon with CURVE on in the same repeats: curve_step_rtt_us, curve_vector_steps_per_s and their overhead in percent.")
        var curve = false

        @OptionGroup var security: SecurityOptions

        func validate() throws {
            guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
            guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
            guard !sizes.isEmpty, sizes.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--batch-sizes takes positive integers, e.g. 1,16,256") }
            guard !curve || server == nil else { throw ValidationError("--curve compares two embedded daemons; it takes no --server") }
            guard !pipelined || vectorOnly else { throw ValidationError("--pipelined measures batches only; add --vector-only") }
            guard !pipelined || sizes.allSatisfy({ $0 >= 2 }) else { throw ValidationError("--pipelined splits each batch in two halves: sizes must be at least 2") }
            guard !curve || !vectorOnly else { throw ValidationError("--curve measures latency too; it takes no --vector-only") }
        }

        var sizes: [Int] { batchSizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

        func run() throws {
            LogSetup.bootstrap(level: .warning)
            try security.install()
            var local: Daemon?
            let endpoint: String
            if let server {
                endpoint = server
            } else {
                var configuration = DaemonConfiguration(bind: bind, registry: BuiltinEnvironments.registry())
                configuration.spinMicroseconds = spinUs
                configuration.workerSpinMicroseconds = workerSpinUs
                let daemon = try Daemon(configuration: configuration)
                try daemon.start()
                local = daemon
                endpoint = daemon.endpoint
            }
            defer { local?.shutdown() }
            let connection = try GymConnection(endpoint: endpoint, clientName: "gym bench")
            let raw = try RawRoundTrip()
            defer { raw.stop() }

            var rawRTT: [Double] = [], stepRTT: [Double] = [], ratios: [Double] = [], inproc: [Double] = [], handler: [Double] = []
            var vector: [Int: [Double]] = [:], envSteps: [Int: Int] = [:]
            // --vector-only makes no one-env batch, so a batch of the client's whole quota fits.
            let single = vectorOnly ? nil : try RemoteVectorEnv(connection: connection, id: "CartPole-v1", count: 1, seed: 0)
            defer { try? single?.close() }
            _ = try single?.reset()
            var batches: [RemoteVectorEnv] = []
            // A --server daemon outlives the bench: every handle made here is closed, even on an error.
            defer { for batch in batches { try? batch.close() } }
            var doubled: [DoubleBufferedVectorEnv] = []
            defer { for batch in doubled { try? batch.close() } }
            for size in sizes {
                if pipelined {
                    doubled.append(try DoubleBufferedVectorEnv(connection: connection, id: "CartPole-v1", count: size, seed: 0))
                } else {
                    batches.append(try RemoteVectorEnv(connection: connection, id: "CartPole-v1", count: size, seed: 0))
                }
            }
            for batch in batches { _ = try batch.reset() }
            for batch in doubled { _ = try batch.reset() }
            let curveSide = try curve ? CurveSide(sizes: sizes, spinUs: spinUs, workerSpinUs: workerSpinUs) : nil
            defer { curveSide?.stop() }
            func measureBatches() throws {
                for batch in batches {
                    let (rate, steps) = try Self.throughput(batch, seconds: seconds)
                    vector[batch.count, default: []].append(rate)
                    envSteps[batch.count, default: 0] += steps
                }
                for batch in doubled {
                    let (rate, steps) = try Self.pipelinedThroughput(batch, seconds: seconds)
                    vector[batch.count, default: []].append(rate)
                    envSteps[batch.count, default: 0] += steps
                }
            }
            for run in 1...repeats {
                guard let single else {
                    try measureBatches()
                    continue
                }
                // Alternate which daemon goes first, so drift in the machine's load favours neither.
                if run % 2 == 1 { try curveSide?.measure(seconds: seconds) }
                let rawMicros = try raw.measure(seconds: seconds)
                let stepMicros = try Self.stepLatency(single, seconds: seconds)
                rawRTT.append(rawMicros)
                stepRTT.append(stepMicros)
                ratios.append(stepMicros / rawMicros)
                try measureBatches()
                if run % 2 == 0 { try curveSide?.measure(seconds: seconds) }
                inproc.append(try Self.inProcess(seconds: seconds))
                handler.append(try Self.handlerPath(seconds: seconds))
                FileHandle.standardError.write(Data(String(format: "run %d/%d: raw %.1f us, step %.1f us, ratio %.2f\n",
                                                           run, repeats, rawMicros, stepMicros, stepMicros / rawMicros).utf8))
            }
            let vectorFields: [(String, JSONText)] = [
                (pipelined ? "pipelined_steps_per_s" : "vector_steps_per_s", .object(sizes.map { (String($0), .double(Self.median(vector[$0] ?? []))) })),
                (pipelined ? "pipelined_env_steps" : "vector_env_steps", .object(sizes.map { (String($0), .int(Int64(envSteps[$0] ?? 0))) })),
            ]
            let context: [(String, JSONText)] = [
                ("repeats", .int(Int64(repeats))),
                ("server", .string(server ?? "embedded \(endpoint)")),
            ]
            if vectorOnly {
                let result = vectorFields + context
                for (key, value) in result { print("\(key): \(value.rendered)") }
                if json { print(JSONText.object(result).rendered) }
                return
            }
            var result: [(String, JSONText)] = [
                ("raw_zmq_rtt_us", .double(Self.median(rawRTT))),
                ("step_rtt_us", .double(Self.median(stepRTT))),
                ("step_rtt_ratio", .double(Self.median(ratios))),
            ] + vectorFields + [
                ("inproc_steps_per_s", .double(Self.median(inproc))),
                ("handler_us", .double(Self.median(handler))),
            ] + context
            if let curveSide {
                result += curveSide.fields(sizes: sizes, plainRTT: Self.median(stepRTT),
                                           plainVector: Dictionary(uniqueKeysWithValues: sizes.map { ($0, Self.median(vector[$0] ?? [])) }))
            }
            for (key, value) in result { print("\(key): \(value.rendered)") }
            if json { print(JSONText.object(result).rendered) }
        }

        static func median(_ values: [Double]) -> Double {
            guard !values.isEmpty else { return .nan }
            let sorted = values.sorted()
            let middle = sorted.count / 2
            return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        }

        /// Runs `body` in chunks of `chunk` calls for about `seconds`; returns calls made and seconds taken.
        static func timed(seconds: Double, chunk: Int, _ body: () throws -> Void) rethrows -> (calls: Int, seconds: Double) {
            let start = DispatchTime.now().uptimeNanoseconds
            let deadline = start + UInt64(seconds * 1e9)
            var calls = 0
            var now = start
            repeat {
                for _ in 0..<chunk { try body() }
                calls += chunk
                now = DispatchTime.now().uptimeNanoseconds
            } while now < deadline
            return (calls, Double(now - start) / 1e9)
        }

        /// Mean microseconds per single-env step round trip.
        static func stepLatency(_ env: RemoteVectorEnv, seconds: Double) throws -> Double {
            let actions = [NDArray(dtype: .int64, shape: [1], values: [1])]
            let run = try timed(seconds: seconds, chunk: 32) { _ = try env.step(actions) }
            return run.seconds * 1e6 / Double(run.calls)
        }

        /// Env-steps per second for a batch stepped synchronously, and the env-steps made.
        static func throughput(_ env: RemoteVectorEnv, seconds: Double) throws -> (rate: Double, steps: Int) {
            let actions = [NDArray(dtype: .int64, shape: [env.count], values: (0..<env.count).map { Double($0 % 2) })]
            let run = try timed(seconds: seconds, chunk: 8) { _ = try env.step(actions) }
            return (Double(run.calls * env.count) / run.seconds, run.calls * env.count)
        }

        /// Env-steps per second for a batch stepped double-buffered (one half always in flight),
        /// and the env-steps made.
        static func pipelinedThroughput(_ env: DoubleBufferedVectorEnv, seconds: Double) throws -> (rate: Double, steps: Int) {
            let actions = env.halves.map { half in [NDArray(dtype: .int64, shape: [half.count], values: (0..<half.count).map { Double($0 % 2) })] }
            for half in 0..<2 { try env.send(half, actions[half]) }
            let run = try timed(seconds: seconds, chunk: 4) {
                for half in 0..<2 {
                    _ = try env.receive(half)
                    try env.send(half, actions[half])
                }
            }
            for half in 0..<2 { _ = try env.receive(half) }
            // Each call stepped both halves, i.e. the whole batch once; the daemon stepped it once
            // more for the sends around the timed calls.
            return (Double(run.calls * env.count) / run.seconds, (run.calls + 1) * env.count)
        }

        /// Microseconds per one-env CartPole step through the protocol code alone, no sockets or
        /// threads: client encode, daemon decode and routing, the worker's step and reply encoding,
        /// client decode. What the daemon adds beyond this is transport and thread hand-offs.
        static func handlerPath(seconds: Double) throws -> Double {
            var configuration = DaemonConfiguration(bind: "inproc://unused", workers: 1, registry: BuiltinEnvironments.registry())
            configuration.name = "bench"
            let router = RequestRouter(configuration: configuration)
            let worker = EnvWorker(registry: configuration.registry)
            let client = ClientID([0, 1, 2, 3, 4])
            func run(_ body: Gym_V1_Request.OneOf_Body, id: UInt64) throws -> Gym_V1_Response {
                let request: [UInt8] = try Gym_V1_Request.with { $0.id = id; $0.body = body }.serializedBytes()
                switch router.route(client: client, frames: [request], now: 0) {
                case .reply(_, let response): return response
                case .dispatch(_, let job):
                    let frames = worker.execute(job).frames ?? []
                    return try Gym_V1_Response(serializedBytes: frames.last ?? [])
                }
            }
            let handle = try run(.make(.with { $0.envID = "CartPole-v1"; $0.numEnvs = 1; $0.seed = 0 }), id: 1).make.handle
            _ = try run(.reset(.with { $0.handle = handle }), id: 2)
            let action = Gym_V1_Tensor(NDArray(dtype: .int64, shape: [1], values: [1]))
            let start = DispatchTime.now().uptimeNanoseconds
            let deadline = start + UInt64(seconds * 1e9)
            var steps = 0
            var now = start
            repeat {
                for _ in 0..<64 {
                    let reply = try run(.step(.with { $0.handle = handle; $0.actions = [action] }), id: 3)
                    _ = try reply.step.observations.map { try $0.ndarray() }
                }
                steps += 64
                now = DispatchTime.now().uptimeNanoseconds
            } while now < deadline
            return Double(now - start) / 1e3 / Double(steps)
        }

        /// CartPole steps per second called directly, resetting at episode ends.
        static func inProcess(seconds: Double) throws -> Double {
            let env: Environment = CartPole()
            var observation = [UInt8](repeating: 0, count: 16)
            var action: Int64 = 0
            var steps = 0
            let start = DispatchTime.now().uptimeNanoseconds
            let deadline = start + UInt64(seconds * 1e9)
            var now = start
            try observation.withUnsafeMutableBytes { obs in
                _ = try env.reset(seed: 0, options: [:], observation: obs)
                repeat {
                    for _ in 0..<4096 {
                        action ^= 1
                        let result = try withUnsafeBytes(of: action) { try env.step(action: $0, observation: obs) }
                        if result.terminated { _ = try env.reset(seed: nil, options: [:], observation: obs) }
                    }
                    steps += 4096
                    now = DispatchTime.now().uptimeNanoseconds
                } while now < deadline
            }
            return Double(steps) / (Double(now - start) / 1e9)
        }
    }
}
