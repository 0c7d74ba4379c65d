/// Who owns which environment batch, and where it lives: the socket thread's bookkeeping,
/// so ownership and quota checks never touch the workers.
struct HandleTable {
    struct Entry {
        let owner: ClientID
        let worker: Int
        let count: Int
    }

    private(set) var entries: [UInt64: Entry] = [:]
    private(set) var envsPerClient: [ClientID: Int] = [:]
    private(set) var envsPerWorker: [Int]
    private(set) var nextHandle: UInt64 = 1

    init(workers: Int) {
        envsPerWorker = Array(repeating: 0, count: workers)
    }

    /// Reserves a handle for `count` environments on the least loaded worker.
    mutating func add(owner: ClientID, count: Int) -> (handle: UInt64, worker: Int) {
        let worker = envsPerWorker.indices.min { envsPerWorker[$0] < envsPerWorker[$1] } ?? 0
        let handle = nextHandle
        nextHandle += 1
        entries[handle] = Entry(owner: owner, worker: worker, count: count)
        envsPerClient[owner, default: 0] += count
        envsPerWorker[worker] += count
        return (handle, worker)
    }

    /// Forgets a handle; returns its entry if it existed.
    @discardableResult
    mutating func remove(_ handle: UInt64) -> Entry? {
        guard let entry = entries.removeValue(forKey: handle) else { return nil }
        let left = (envsPerClient[entry.owner] ?? entry.count) - entry.count
        envsPerClient[entry.owner] = left > 0 ? left : nil
        envsPerWorker[entry.worker] -= entry.count
        return entry
    }

    func envCount(of client: ClientID) -> Int { envsPerClient[client] ?? 0 }

    func handles(of client: ClientID) -> [UInt64] {
        entries.filter { $0.value.owner == client }.map(\.key).sorted()
    }

    /// Whether `handle` was issued once (and so was closed or reclaimed since).
    func wasIssued(_ handle: UInt64) -> Bool { handle > 0 && handle < nextHandle }
}
