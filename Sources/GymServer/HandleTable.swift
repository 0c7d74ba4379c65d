/// Who owns which environment batch, and where it lives: the socket thread's bookkeeping,
/// so ownership and quota checks never touch the workers.
///
/// A handle carries the daemon's instance (a random number drawn at each start) in bits 32–51
/// and a counter in its low 32 bits, so a handle from before a restart is recognised as such
/// instead of naming another client's batch; handles stay below 2^52 (exact in a JSON double).
struct HandleTable {
    struct Entry {
        let owner: ClientID
        let worker: Int
        let count: Int
        /// The env id, for messages about the batch.
        let envID: String
    }

    private(set) var entries: [UInt64: Entry] = [:]
    private(set) var envsPerClient: [ClientID: Int] = [:]
    private(set) var envsPerWorker: [Int]
    /// The counter part of the next handle.
    private(set) var nextCounter: UInt64 = 1
    /// This run's instance number, 1 to 2^20 - 1.
    let instance: UInt64
    /// Environments held across all clients.
    private(set) var totalEnvs = 0

    init(workers: Int, instance: UInt64 = UInt64.random(in: 1..<(1 << 20))) {
        envsPerWorker = Array(repeating: 0, count: workers)
        self.instance = instance & 0xF_FFFF == 0 ? 1 : instance & 0xF_FFFF
    }

    /// Reserves a handle for `count` environments on the least loaded worker; nil once this run
    /// has issued 2^32 - 1 handles.
    mutating func add(owner: ClientID, count: Int, envID: String = "") -> (handle: UInt64, worker: Int)? {
        guard nextCounter < 1 << 32 else { return nil }
        let worker = envsPerWorker.indices.min { envsPerWorker[$0] < envsPerWorker[$1] } ?? 0
        let handle = instance << 32 | nextCounter
        nextCounter += 1
        entries[handle] = Entry(owner: owner, worker: worker, count: count, envID: envID)
        envsPerClient[owner, default: 0] += count
        envsPerWorker[worker] += count
        totalEnvs += count
        return (handle, worker)
    }

    /// Forgets a handle; returns its entry if it existed.
    @discardableResult
    mutating func remove(_ handle: UInt64) -> Entry? {
        guard let entry = entries.removeValue(forKey: handle) else { return nil }
        let left = (envsPerClient[entry.owner] ?? entry.count) - entry.count
        envsPerClient[entry.owner] = left > 0 ? left : nil
        envsPerWorker[entry.worker] -= entry.count
        totalEnvs -= entry.count
        return entry
    }

    func envCount(of client: ClientID) -> Int { envsPerClient[client] ?? 0 }

    func handles(of client: ClientID) -> [UInt64] {
        entries.filter { $0.value.owner == client }.map(\.key).sorted()
    }

    /// Whether `handle` was issued once by this run (and so was closed or reclaimed since).
    func wasIssued(_ handle: UInt64) -> Bool {
        handle >> 32 == instance && handle & 0xFFFF_FFFF > 0 && handle & 0xFFFF_FFFF < nextCounter
    }

    /// Whether `handle` looks issued by another run of a daemon: its client outlived a restart.
    func isFromAnotherRun(_ handle: UInt64) -> Bool {
        let run = handle >> 32
        return run != instance && run > 0 && run < 1 << 20 && handle & 0xFFFF_FFFF > 0
    }

    /// Number of clients holding environments.
    var clientCount: Int { envsPerClient.count }
}
