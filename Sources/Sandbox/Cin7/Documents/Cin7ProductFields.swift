import Foundation

/// "All Objects that contain field 'ProductID', also contain additional fields"
/// (apib:13268-13287): the product's dimensions and units, and its additional
/// attributes as `ProductCustomField1`…`10`. Cin7 writes them as strings ("" when
/// unset), which openapi.yaml's purchase schemas require; they are a snapshot of
/// the product when the line was written.
struct Cin7ProductFields: Cin7Inline, Sendable, Equatable {
    var length: Decimal = 0
    var width: Decimal = 0
    var height: Decimal = 0
    var weight: Decimal = 0
    var weightUnits = ""
    var dimensionsUnits = ""
    var custom: [String] = Array(repeating: "", count: 10)

    init() {}

    init(_ product: Cin7Product) {
        (length, width, height, weight) = (product.Length, product.Width, product.Height, product.Weight)
        (weightUnits, dimensionsUnits) = (product.WeightUnits ?? "", product.DimensionsUnits ?? "")
        custom = product.attributes
    }

    func encodeMembers(into container: inout KeyedEncodingContainer<Cin7Key>) throws {
        try container.encode(length, forKey: Cin7Key("ProductLength"))
        try container.encode(width, forKey: Cin7Key("ProductWidth"))
        try container.encode(height, forKey: Cin7Key("ProductHeight"))
        try container.encode(weight, forKey: Cin7Key("ProductWeight"))
        try container.encode(weightUnits, forKey: Cin7Key("WeightUnits"))
        try container.encode(dimensionsUnits, forKey: Cin7Key("DimensionsUnits"))
        for (index, value) in custom.enumerated() {
            try container.encode(value, forKey: Cin7Key("ProductCustomField\(index + 1)"))
        }
    }
}
