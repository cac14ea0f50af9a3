/**
 * The official ONNX protobuf schema, parsed once with protobufjs.
 *
 * The .proto text is imported with Bun's text loader, so it is embedded in `bun build --compile`
 * executables and nothing is read from the source tree at run time. keepCase keeps ONNX's snake_case
 * field names (ir_version, opset_import...), so objects built here read like the ONNX documentation.
 */
import protobuf from 'protobufjs'
import schema from './onnx.proto' with { type: 'text' }

// protobufjs looks for the `long` package with a run-time require, which a compiled binary resolves from
// the current directory: started where a node_modules holds long@5 it got an incompatible module and
// failed ("Long.fromNumber is not a function"). Every int64 field we write (dims, versions, attribute
// ints) fits a double and tensors go in raw_data, so plain numbers are used instead.
protobuf.util.Long = undefined as unknown as typeof protobuf.util.Long
protobuf.configure()

const root = protobuf.parse(schema, { keepCase: true }).root

export const ModelProto = root.lookupType('onnx.ModelProto')

/** TensorProto.DataType codes, from the schema (FLOAT = 1, INT64 = 7, ...). */
export const DataType = root.lookupEnum('onnx.TensorProto.DataType').values

/** AttributeProto.AttributeType codes (FLOAT = 1, INT = 2, ...). */
export const AttributeType = root.lookupEnum('onnx.AttributeProto.AttributeType').values
