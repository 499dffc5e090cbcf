// The builder bundles .svg imports as strings (asset/source).
declare module '*.svg' {
  const value: string;
  export default value;
}
