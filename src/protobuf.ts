/**
 * protobufjs, configured once for the whole program; import it from here, never from 'protobufjs'.
 *
 * protobufjs looks for the `long` package with a run-time require, which a compiled binary resolves from
 * the current directory: started in a directory whose node_modules holds long@5 it got an incompatible
 * module and failed ("Long.fromNumber is not a function"). Every int64 we encode or decode (ONNX dims,
 * versions, attribute ints; RecordIO shapes and keys) fits a double, and tensors travel as raw bytes,
 * so plain numbers are used instead.
 */
import protobuf from 'protobufjs'

protobuf.util.Long = undefined as unknown as typeof protobuf.util.Long
protobuf.configure()

export default protobuf
