import Foundation
import GymCore
import GymProtocol
import SwiftProtobuf

/// The environments of one worker thread, and the execution of jobs on them.
///
/// Only its own thread runs jobs on it. The handle table sits behind a lock nobody else takes
/// until the watchdog hands the environments to a fresh thread (`handOver(excluding:)`), so the
/// step path's lock is never contended; the job itself runs outside it.
public final class EnvWorker {
    private let registry: EnvRegistry
    private var batches: [UInt64: EnvBatch] = [:]
    private let tableLock = NSLock()
    /// Set once the environments were handed over: a late store from an abandoned thread is dropped.
    private var retired = false
    /// With an event stream: each batch's make, which its reset events carry (under `tableLock`,
    /// and handed over with the batches).
    private var makes: [UInt64: Gym_V1_MakeEvent] = [:]
    private let events: EventStream?

    /// A worker that builds environments from `registry` and, given an event stream, publishes
    /// an event for every job that succeeds while a subscriber is attached.
    public init(registry: EnvRegistry, events: EventStream? = nil) {
        self.registry = registry
        self.events = events
    }

    /// Number of batches this worker holds.
    public var batchCount: Int {
        tableLock.lock()
        defer { tableLock.unlock() }
        return batches.count
    }

    /// Moves every batch but `handle`'s to a new worker and retires this one, whose thread is
    /// stuck inside a job on `handle`: whatever that thread stores afterwards is dropped.
    func handOver(excluding handle: UInt64) -> EnvWorker {
        tableLock.lock()
        retired = true
        var moved = batches
        var movedMakes = makes
        batches = [:]
        makes = [:]
        tableLock.unlock()
        moved[handle] = nil
        movedMakes[handle] = nil
        let fresh = EnvWorker(registry: registry, events: events)
        fresh.batches = moved
        fresh.makes = movedMakes
        return fresh
    }

    private func lookup(_ handle: UInt64) -> EnvBatch? {
        tableLock.lock()
        defer { tableLock.unlock() }
        return batches[handle]
    }

    /// Stores (or with nil removes) a handle's batch; returns the batch it replaced, so that the
    /// caller releases it (a plugin's destroy may be slow) outside the lock.
    @discardableResult
    private func store(_ batch: EnvBatch?, for handle: UInt64) -> EnvBatch? {
        tableLock.lock()
        defer { tableLock.unlock() }
        guard !retired else { return batch }
        let old = batches[handle]
        batches[handle] = batch
        return old
    }

    /// Runs a job and returns what the socket thread must send and do.
    public func execute(_ job: Job) -> Completion {
        if case .step(let step) = job.kind, let address = job.replyTo, !(events?.isAttached ?? false) {
            return executeStep(step, job: job, replyingTo: address)
        }
        var abandoned: UInt64?
        let response: Gym_V1_Response
        do {
            response = try run(job)
        } catch let error as GymError {
            response = .failure(id: job.requestID, error)
            if case .make = job.kind { abandoned = job.handle }
        } catch {
            response = .failure(id: job.requestID, GymError(.internalError, "\(error)"))
            if case .make = job.kind { abandoned = job.handle }
        }
        if let events, response.gymError == nil {
            let batch: Gym_V1_MakeEvent? = tableLock.withLock {
                switch (job.kind, response.body) {
                case (.make(let request), .make(let reply)?) where !retired: makes[job.handle] = EventEncoding.makeEvent(request, reply, job.clientDescription)
                case (.close, _): makes[job.handle] = nil
                default: break
                }
                return makes[job.handle]
            }
            if events.isAttached {
                events.publish(job: job, response: response, resetSeeds: lookup(job.handle)?.lastResetSeeds, batch: batch)
            }
        }
        guard let address = job.replyTo else {
            return Completion(frames: nil, abandonedHandle: abandoned, error: response.gymError)
        }
        let payload: [UInt8]
        do {
            payload = try response.serializedBytes()
        } catch {
            payload = (try? Gym_V1_Response.failure(id: job.requestID, GymError(.internalError, "could not encode reply: \(error)")).serializedBytes()) ?? []
        }
        return Completion(frames: address.frames(payload), abandonedHandle: abandoned, error: response.gymError, client: address.client)
    }

    /// A step nobody records: its reply is written straight from the batch's buffers
    /// (`StepReplyWire`), with no `Gym_V1_Response` built in between.
    private func executeStep(_ step: Gym_V1_Step, job: Job, replyingTo address: ReplyAddress) -> Completion {
        let payload: [UInt8]
        do {
            let batch = try self.batch(job.handle)
            try batch.step(actions: try step.actions.map { try $0.ndarray(limits: .action, what: "action") })
            payload = try Self.encodedStepReply(id: job.requestID, batch)
        } catch {
            let failure = error as? GymError ?? GymError(.internalError, "\(error)")
            let bytes = (try? Gym_V1_Response.failure(id: job.requestID, failure).serializedBytes()) ?? []
            return Completion(frames: address.frames(bytes), abandonedHandle: nil, error: failure, client: address.client)
        }
        return Completion(frames: address.frames(payload), abandonedHandle: nil, error: nil, client: address.client)
    }

    /// The bytes of the `Response` that `stepReply(batch)` makes, written in one pass.
    static func encodedStepReply(id: UInt64, _ batch: EnvBatch) throws -> [UInt8] {
        var final: Gym_V1_FinalObservations?
        if !batch.finalIndices.isEmpty {
            final = .with {
                $0.envIndices = batch.finalIndices.map { UInt32($0) }
                $0.observations = batch.finalObservationArrays().map(Gym_V1_Tensor.init)
                $0.infos = wire(batch.finalInfos.filter { !$0.info.isEmpty })
            }
        }
        return try StepReplyWire.encode(
            id: id, leaves: batch.observationLeaves.map(StepReplyWire.Leaf.init), rows: batch.count, stride: batch.observationBytes,
            observations: batch.observations, rewards: batch.rewards, terminated: batch.terminated, truncated: batch.truncated,
            infos: batch.infos.isEmpty ? [] : wire(batch.infos), final: final)
    }

    private func run(_ job: Job) throws -> Gym_V1_Response {
        let id = job.requestID
        switch job.kind {
        case .make(let make):
            let spec = try registry.require(make.envID)
            let batch = try EnvBatch(
                spec: spec, count: Int(make.numEnvs), kwargs: try make.kwargs.valueMap(),
                seed: make.hasSeed ? make.seed : nil,
                maxEpisodeSteps: make.hasMaxEpisodeSteps ? Int(make.maxEpisodeSteps) : nil,
                autoreset: AutoresetMode(wire: make.autoreset) ?? .nextStep)
            store(batch, for: job.handle)
            return .with {
                $0.id = id
                $0.make = .with {
                    $0.handle = job.handle
                    $0.spec = Gym_V1_EnvSpec(spec)
                    $0.numEnvs = UInt32(batch.count)
                    $0.autoreset = batch.autoreset.wire
                    $0.maxEpisodeSteps = Int32(batch.maxEpisodeSteps ?? 0)
                }
            }
        case .reset(let reset):
            let batch = try self.batch(job.handle)
            try batch.reset(seeds: reset.seeds, options: try reset.options.valueMap())
            return .with {
                $0.id = id
                $0.reset = .with {
                    $0.observations = batch.observationArrays().map(Gym_V1_Tensor.init)
                    $0.infos = Self.wire(batch.infos)
                }
            }
        case .step(let step):
            let batch = try self.batch(job.handle)
            try batch.step(actions: try step.actions.map { try $0.ndarray(limits: .action, what: "action") })
            return .with {
                $0.id = id
                $0.step = Self.stepReply(batch)
            }
        case .render(let render):
            let frame = try self.batch(job.handle).render(index: Int(render.envIndex))
            return .with {
                $0.id = id
                $0.render = .with {
                    $0.frame = Gym_V1_Tensor(NDArray(dtype: .uint8, shape: [frame.height, frame.width, 3], bytes: frame.pixels))
                }
            }
        case .close:
            let closed = store(nil, for: job.handle)
            withExtendedLifetime(closed) {}
            return .with { $0.id = id; $0.close = Gym_V1_CloseReply() }
        }
    }

    private func batch(_ handle: UInt64) throws -> EnvBatch {
        // The socket thread checked the handle; a miss means the make failed or raced a close.
        guard let batch = lookup(handle) else { throw GymError(.unknownHandle, "handle \(handle) has no environments") }
        return batch
    }

    static func stepReply(_ batch: EnvBatch) -> Gym_V1_StepReply {
        var reply = Gym_V1_StepReply()
        reply.observations = batch.observationArrays().map(Gym_V1_Tensor.init)
        reply.rewards = .with {
            $0.dtype = .float64
            $0.shape = [Int64(batch.count)]
            $0.data = batch.rewards.withUnsafeBytes { Data($0) }
        }
        reply.terminated = Data(batch.terminated)
        reply.truncated = Data(batch.truncated)
        if !batch.infos.isEmpty { reply.infos = wire(batch.infos) }
        if !batch.finalIndices.isEmpty {
            reply.final = .with {
                $0.envIndices = batch.finalIndices.map { UInt32($0) }
                $0.observations = batch.finalObservationArrays().map(Gym_V1_Tensor.init)
                $0.infos = wire(batch.finalInfos.filter { !$0.info.isEmpty })
            }
        }
        return reply
    }

    static func wire(_ infos: [(index: Int, info: ValueMap)]) -> [Gym_V1_EnvInfo] {
        infos.map { entry in .with { $0.envIndex = UInt32(entry.index); $0.info = entry.info.wire } }
    }
}
