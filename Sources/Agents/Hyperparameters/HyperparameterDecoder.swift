/// Rebuilds a hyperparameter set from its defaults with some values replaced, through the
/// set's own `Decodable` conformance: each `@Hyperparameter` keeps its declaration (help,
/// aliases) and takes the replacing text if there is one; nested sets recurse; any other stored
/// property keeps its default. Values are read from text by their own type, so nothing passes
/// through an intermediate format that could round a number.
struct HyperparameterDecoder: Decoder {
    let defaults: any HyperparameterSet
    /// Replacement values by flag name.
    let texts: [String: String]
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Container(decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw unsupported }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { throw unsupported }

    var unsupported: DecodingError {
        .dataCorrupted(.init(codingPath: codingPath, debugDescription: "a hyperparameter set decodes only from its fields"))
    }

    struct Container<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let decoder: HyperparameterDecoder
        var codingPath: [any CodingKey] { decoder.codingPath }
        var allKeys: [Key] { [] }

        private func field(_ key: Key) -> Any? {
            Mirror(reflecting: decoder.defaults).children.first { $0.label == key.stringValue || $0.label == "_" + key.stringValue }?.value
        }

        func contains(_ key: Key) -> Bool { field(key) != nil }
        func decodeNil(forKey key: Key) throws -> Bool { false }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try value(type, forKey: key) }

        private func value<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            guard let value = field(key) else {
                throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no such field"))
            }
            var resolved: Any = value
            if let declaration = value as? any HyperparameterDeclaration {
                let flag = HyperparameterName.flag(key.stringValue)
                if let text = decoder.texts[flag] {
                    guard let replaced = declaration.replacing(text: text) else {
                        throw HyperparameterError(message: "'\(text)' is not a valid value for --\(flag) (\(declaration.valueName))")
                    }
                    resolved = replaced
                }
            } else if let nested = value as? any HyperparameterSet {
                resolved = try T(from: HyperparameterDecoder(defaults: nested, texts: decoder.texts, codingPath: codingPath + [key]))
            }
            guard let typed = resolved as? T else {
                throw DecodingError.typeMismatch(T.self, .init(codingPath: codingPath + [key], debugDescription: "field type differs"))
            }
            return typed
        }

        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try value(Bool.self, forKey: key) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try value(String.self, forKey: key) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try value(Double.self, forKey: key) }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try value(Float.self, forKey: key) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try value(Int.self, forKey: key) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try value(Int8.self, forKey: key) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try value(Int16.self, forKey: key) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try value(Int32.self, forKey: key) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try value(Int64.self, forKey: key) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try value(UInt.self, forKey: key) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try value(UInt8.self, forKey: key) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try value(UInt16.self, forKey: key) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try value(UInt32.self, forKey: key) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try value(UInt64.self, forKey: key) }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            throw decoder.unsupported
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try decoder.unkeyedContainer() }
        func superDecoder() throws -> any Decoder { decoder }
        func superDecoder(forKey key: Key) throws -> any Decoder { decoder }
    }
}
