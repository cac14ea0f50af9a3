// The types of pngjs (@types/pngjs) for the path the handler imports it by.
declare module 'pngjs/lib/png.js' {
  export { PNG } from 'pngjs'
}
