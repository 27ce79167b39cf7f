import Foundation
import RPCMessages
import SwiftProtobuf

/// The descriptors of proto/ (ProtoDescriptors, generated with their imports),
/// indexed the ways server reflection is asked: by file name, by the symbol a
/// file defines, and by extension.
struct DescriptorIndex: Sendable {
    struct File: Sendable {
        let serialized: Data
        let dependencies: [String]
    }

    private(set) var files: [String: File] = [:]
    /// Fully-qualified name (no leading dot) of every message, enum, service,
    /// method and extension → the file that defines it.
    private(set) var fileBySymbol: [String: String] = [:]
    /// Extended message → extension number → defining file.
    private(set) var extensions: [String: [Int32: String]] = [:]

    init(fileDescriptorSet data: Data) throws {
        let set = try Google_Protobuf_FileDescriptorSet(serializedBytes: data)
        for file in set.file {
            files[file.name] = File(serialized: try file.serializedBytes(), dependencies: file.dependency)
            let prefix = file.package.isEmpty ? "" : file.package + "."
            for message in file.messageType { index(message, prefix: prefix, file: file.name) }
            for enumType in file.enumType { fileBySymbol[prefix + enumType.name] = file.name }
            for service in file.service {
                fileBySymbol[prefix + service.name] = file.name
                for method in service.method { fileBySymbol[prefix + service.name + "." + method.name] = file.name }
            }
            for field in file.extension { addExtension(field, prefix: prefix, file: file.name) }
        }
    }

    static let embedded: DescriptorIndex = {
        guard let data = Data(base64Encoded: ProtoDescriptors.fileDescriptorSetBase64),
              let index = try? DescriptorIndex(fileDescriptorSet: data) else {
            preconditionFailure("ProtoDescriptors holds no valid FileDescriptorSet; rerun ops/gen-proto")
        }
        return index
    }()

    private mutating func index(_ message: Google_Protobuf_DescriptorProto, prefix: String, file: String) {
        let name = prefix + message.name
        fileBySymbol[name] = file
        for nested in message.nestedType { index(nested, prefix: name + ".", file: file) }
        for enumType in message.enumType { fileBySymbol[name + "." + enumType.name] = file }
        for field in message.extension { addExtension(field, prefix: name + ".", file: file) }
    }

    private mutating func addExtension(_ field: Google_Protobuf_FieldDescriptorProto, prefix: String, file: String) {
        fileBySymbol[prefix + field.name] = file
        let extendee = field.extendee.hasPrefix(".") ? String(field.extendee.dropFirst()) : field.extendee
        extensions[extendee, default: [:]][field.number] = file
    }

    /// The file and everything it imports, transitively, the file first. Imports
    /// in `alreadySent` are left out (a client caches what its stream already
    /// gave it); the asked-for file itself is always sent, as grpc-go does.
    func withDependencies(_ name: String, alreadySent: inout Set<String>) -> [Data]? {
        guard files[name] != nil else { return nil }
        var result: [Data] = []
        var pending = [name]
        while let next = pending.popLast() {
            guard result.isEmpty || !alreadySent.contains(next), let file = files[next] else { continue }
            alreadySent.insert(next)
            result.append(file.serialized)
            pending.append(contentsOf: file.dependencies.reversed())
        }
        return result
    }
}
