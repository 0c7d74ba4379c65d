import GymCore

extension Gym_V1_Space {
    /// The wire form of a space.
    public init(_ space: Space) {
        self.init()
        switch space {
        case .discrete(let n, let start):
            kind = .discrete(.with { $0.n = n; $0.start = start })
        case .box(let low, let high, let shape, let dtype):
            kind = .box(.with {
                $0.shape = shape.map(Int64.init)
                $0.dtype = dtype.wire
                $0.low = Gym_V1_Tensor(NDArray(dtype: dtype, shape: shape, values: low))
                $0.high = Gym_V1_Tensor(NDArray(dtype: dtype, shape: shape, values: high))
            })
        case .multiDiscrete(let nvec, let start):
            kind = .multiDiscrete(.with { $0.nvec = nvec; $0.start = start })
        case .multiBinary(let shape):
            kind = .multiBinary(.with { $0.shape = shape.map(Int64.init) })
        case .dict(let entries):
            kind = .dict(.with { dict in
                dict.entries = entries.map { entry in .with { $0.key = entry.key; $0.space = Gym_V1_Space(entry.space) } }
            })
        case .tuple(let spaces):
            kind = .tuple(.with { $0.spaces = spaces.map(Gym_V1_Space.init) })
        }
    }

    /// The space this wire message describes.
    public func space() throws -> Space {
        switch kind {
        case .discrete(let discrete):
            return .discrete(n: discrete.n, start: discrete.start)
        case .box(let box):
            guard let dtype = DType(wire: box.dtype) else { throw GymError(.malformed, "box with unknown dtype") }
            // A peer chose this shape: its element count must not overflow where spaces are sized.
            let shape = try TensorLimits.observation.checkedShape(box.shape, byteSize: dtype.byteSize, what: "box space").shape
            return .box(low: try box.low.ndarray(limits: .spaceBound, what: "box low").doubles,
                        high: try box.high.ndarray(limits: .spaceBound, what: "box high").doubles, shape: shape, dtype: dtype)
        case .multiDiscrete(let multi):
            let start = multi.start.isEmpty ? Array(repeating: 0, count: multi.nvec.count) : multi.start
            return .multiDiscrete(nvec: multi.nvec, start: start)
        case .multiBinary(let multi):
            return .multiBinary(shape: try TensorLimits.observation.checkedShape(multi.shape, byteSize: 1, what: "multi-binary space").shape)
        case .dict(let dict):
            return .dict(try dict.entries.map { Space.DictEntry($0.key, try $0.space.space()) })
        case .tuple(let tuple):
            return .tuple(try tuple.spaces.map { try $0.space() })
        case nil:
            throw GymError(.malformed, "space with no kind set")
        }
    }
}
