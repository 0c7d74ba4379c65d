/// Reads a set's declarations by reflection, nested sets flattened in place.
enum HyperparameterWalk {
    static func declarations(of set: any HyperparameterSet) -> [(String, any HyperparameterDeclaration)] {
        var found: [(String, any HyperparameterDeclaration)] = []
        for child in Mirror(reflecting: set).children {
            guard let label = child.label else { continue }
            if let declaration = child.value as? any HyperparameterDeclaration, label.hasPrefix("_") {
                found.append((String(label.dropFirst()), declaration))
            } else if let nested = child.value as? any HyperparameterSet {
                found += declarations(of: nested)
            }
        }
        return found
    }
}
