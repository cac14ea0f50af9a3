/**
 * The official ONNX protobuf schema, parsed once with protobufjs.
 *
 * The .proto text is imported with Bun's text loader, so it is embedded in `bun build --compile`
 * executables and nothing is read from the source tree at run time. keepCase keeps ONNX's snake_case
 * field names (ir_version, opset_import...), so objects built here read like the ONNX documentation.
 */
import protobuf from '../protobuf'
import schema from './onnx.proto' with { type: 'text' }

const root = protobuf.parse(schema, { keepCase: true }).root

export const ModelProto = root.lookupType('onnx.ModelProto')

/** TensorProto.DataType codes, from the schema (FLOAT = 1, INT64 = 7, ...). */
export const DataType = root.lookupEnum('onnx.TensorProto.DataType').values

/** AttributeProto.AttributeType codes (FLOAT = 1, INT = 2, ...). */
export const AttributeType = root.lookupEnum('onnx.AttributeProto.AttributeType').values
