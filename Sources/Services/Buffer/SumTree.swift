/// A tree of sums over `capacity` non-negative leaves, for drawing a leaf with probability
/// proportional to its value in O(log n) (Schaul et al. 2016, prioritized replay).
///
/// Each node has eight children stored side by side, so a root-to-leaf walk touches about a
/// third as many cache lines as a binary tree would; with a million leaves the walk, not the
/// arithmetic, is what a sample costs. Node `i`'s children are `8(i + 1) ..< 8(i + 1) + 8`.
/// A set recomputes the sums on its path from the children, so rounding never accumulates.
struct SumTree {
    /// Number of leaves.
    let capacity: Int
    private static let fanout = 8
    private let depth: Int
    private let leafBase: Int
    private var nodes: [Double]

    init(capacity: Int) {
        self.capacity = capacity
        let (depth, start, width) = Self.layout(capacity: capacity)
        self.depth = depth
        leafBase = start
        nodes = Array(repeating: 0, count: start + width)
    }

    /// Levels below the root, the first leaf's node index and the padded leaf count for `capacity`
    /// leaves (capacity at most 2^31, so nothing here overflows).
    private static func layout(capacity: Int) -> (depth: Int, start: Int, width: Int) {
        var depth = 1
        var width = fanout
        var start = fanout  // the first node of level 1
        while width < capacity {
            start = fanout * (start + 1)
            width *= fanout
            depth += 1
        }
        return (depth, start, width)
    }

    /// Nodes a tree of `capacity` leaves holds, for sizing a table before building it.
    static func nodeCount(capacity: Int) -> Int {
        let (_, start, width) = layout(capacity: capacity)
        return start + width
    }

    /// The sum of every leaf.
    var total: Double { nodes[0] }

    /// Leaf `index`'s value.
    subscript(index: Int) -> Double { nodes[leafBase + index] }

    /// Sets leaf `index` to `value`.
    mutating func set(_ index: Int, _ value: Double) {
        var node = leafBase + index
        nodes[node] = value
        while node != 0 {
            node = node / Self.fanout - 1
            let first = Self.fanout * (node + 1)
            var sum = 0.0
            for child in first..<(first + Self.fanout) { sum += nodes[child] }
            nodes[node] = sum
        }
    }

    /// The leaf where the running sum passes `mass` (in `0..<total`).
    func find(_ mass: Double) -> Int { find([mass])[0] }

    /// The leaf for each mass, walked level by level across the whole batch: the walks' memory
    /// reads are independent, so the processor overlaps their cache misses instead of waiting
    /// for each walk in turn.
    func find(_ masses: [Double]) -> [Int] {
        var node = [Int](repeating: 0, count: masses.count)
        var mass = masses
        nodes.withUnsafeBufferPointer { nodes in
            for _ in 0..<depth {
                for walk in 0..<mass.count {
                    let first = Self.fanout * (node[walk] + 1)
                    var remaining = mass[walk]
                    var chosen = -1
                    var lastPositive = first
                    for child in first..<(first + Self.fanout) {
                        let value = nodes[child]
                        guard value > 0 else { continue }
                        lastPositive = child
                        if remaining < value {
                            chosen = child
                            break
                        }
                        remaining -= value
                    }
                    // Rounding can leave a sliver of mass past the last child: take the last one with mass.
                    node[walk] = chosen >= 0 ? chosen : lastPositive
                    mass[walk] = remaining
                }
            }
        }
        return node.map { min($0 - leafBase, capacity - 1) }
    }
}
