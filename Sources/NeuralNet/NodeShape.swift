/// Rank and matrix extent of a node: rank 0 is 1×1, rank 1 `[n]` is 1×n.
struct NodeShape: Equatable {
    var rank: Int
    var rows: Int
    var cols: Int

    var count: Int { rows * cols }

    var dims: [Int] {
        switch rank {
        case 0: return []
        case 1: return [cols]
        default: return [rows, cols]
        }
    }
}
