// `import x from './file.proto' with { type: 'text' }` yields the file's text (Bun text loader).
declare module '*.proto' {
  const text: string
  export default text
}
