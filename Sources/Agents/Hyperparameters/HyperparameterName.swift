/// Names derived from a property's: `doubleDQN` → flag `double-dqn`, key `double_dqn`.
enum HyperparameterName {
    static func key(_ property: String) -> String { words(property).joined(separator: "_") }
    static func flag(_ property: String) -> String { words(property).joined(separator: "-") }

    /// Splits camelCase at each lower-to-upper step and before the last capital of an acronym.
    private static func words(_ name: String) -> [String] {
        let characters = Array(name)
        var words: [String] = []
        var current = ""
        for (index, character) in characters.enumerated() {
            let previous = index > 0 ? characters[index - 1] : nil
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            let startsWord = character.isUppercase && previous != nil
                && (previous?.isLowercase == true || previous?.isNumber == true || next?.isLowercase == true)
            if startsWord, !current.isEmpty {
                words.append(current)
                current = ""
            }
            current.append(Character(character.lowercased()))
        }
        if !current.isEmpty { words.append(current) }
        return words
    }
}
