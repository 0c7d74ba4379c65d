/// A binary tree of sums over `capacity` non-negative leaves, for drawing a leaf with
/// probability proportional to its value in O(log n) (Schaul et al. 2016, prioritized replay).
///
/// A set recomputes the sums on its path from the children, so rounding never accumulates.
struct SumTree {
    /// Number of leaves.
    let capacity: Int
    private let leafBase: Int
    private var nodes: [Double]

    init(capacity: Int) {
        self.capacity = capacity
        var base = 1
        while base < capacity { base <<= 1 }
        leafBase = base
        nodes = Array(repeating: 0, count: 2 * base)
    }

    /// The sum of every leaf.
    var total: Double { nodes[1] }

    /// Leaf `index`'s value.
    subscript(index: Int) -> Double { nodes[leafBase + index] }

    /// Sets leaf `index` to `value`.
    mutating func set(_ index: Int, _ value: Double) {
        var node = leafBase + index
        nodes[node] = value
        node >>= 1
        while node >= 1 {
            nodes[node] = nodes[2 * node] + nodes[2 * node + 1]
            node >>= 1
        }
    }

    /// The leaf where the running sum passes `mass` (in `0..<total`).
    func find(_ mass: Double) -> Int {
        var node = 1
        var mass = mass
        while node < leafBase {
            let left = nodes[2 * node]
            if mass < left || nodes[2 * node + 1] <= 0 {
                node = 2 * node
            } else {
                mass -= left
                node = 2 * node + 1
            }
        }
        return min(node - leafBase, capacity - 1)
    }

    /// Sets every leaf to 0.
    mutating func clear() {
        for index in nodes.indices { nodes[index] = 0 }
    }
}
