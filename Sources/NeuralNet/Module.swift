/// Anything that owns named parameters: layers, networks, agents' models.
public protocol Module: AnyObject {
    /// Parameters with PyTorch `state_dict`-style names, in a fixed order.
    var namedParameters: [(name: String, parameter: Parameter)] { get }
}

extension Module {
    /// The parameters, in `namedParameters` order (what an optimizer takes).
    public var parameters: [Parameter] { namedParameters.map(\.parameter) }

    /// The parameter with a given name, if any.
    public func parameter(named name: String) -> Parameter? {
        namedParameters.first { $0.name == name }?.parameter
    }

    /// The total number of scalar parameters.
    public var parameterCount: Int { namedParameters.reduce(0) { $0 + $1.parameter.value.count } }

    /// Sets every parameter's gradient to zero.
    public func zeroGrad() {
        for (_, p) in namedParameters { p.zeroGrad() }
    }

    /// A copy of every parameter's value by name (PyTorch's `state_dict()`).
    public func stateDict() -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: namedParameters.map { ($0.name, $0.parameter.value) })
    }

    /// Replaces every parameter's value from a state dict with exactly the same names and shapes.
    public func load(stateDict: [String: Tensor]) throws(ModuleError) {
        let named = namedParameters
        for (name, p) in named {
            guard let t = stateDict[name] else { throw .missingParameter(name) }
            guard t.shape == p.shape else { throw .shapeMismatch(name: name, expected: p.shape, found: t.shape) }
        }
        if let extra = stateDict.keys.sorted().first(where: { k in !named.contains { $0.name == k } }) {
            throw .unexpectedParameter(extra)
        }
        for (name, p) in named {
            if let t = stateDict[name] { p.value = t }
        }
    }

    /// Copies every parameter value from a module of the same architecture (hard target update).
    public func copy(from source: some Module) {
        softUpdate(from: source, tau: 1)
    }

    /// Polyak averaging for target networks: `θ ← τ·θ_source + (1 − τ)·θ`, in place.
    public func softUpdate(from source: some Module, tau: Float) {
        let dst = namedParameters, src = source.namedParameters
        precondition(dst.count == src.count, "modules have different parameter counts")
        for ((name, d), (sourceName, s)) in zip(dst, src) {
            precondition(name == sourceName && d.shape == s.shape,
                         "parameter \(name) \(d.shape) does not match \(sourceName) \(s.shape)")
            // Skip a parameter shared by both modules: it is already its own source.
            guard d !== s else { continue }
            let count = d.value.count
            s.value.data.withUnsafeBufferPointer { sp in
                d.value.data.withUnsafeMutableBufferPointer { dp in
                    if tau == 1 {
                        for k in 0..<count { dp[k] = sp[k] }
                    } else {
                        let keep = 1 - tau
                        for k in 0..<count { dp[k] = tau * sp[k] + keep * dp[k] }
                    }
                }
            }
        }
    }
}
