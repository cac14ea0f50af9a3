// The part of pngjs's API the handler uses, for a type check of code/ alone: pngjs ships no types of its
// own (they are @types/pngjs, which code/node_modules need not carry).
declare module 'pngjs' {
  export class PNG {
    width: number
    height: number
    /** RGBA, 8 bits a channel. */
    data: Buffer
    static sync: { read(buffer: Buffer): PNG }
  }
}
