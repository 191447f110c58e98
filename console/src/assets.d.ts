/** Stylesheets are bundled by esbuild into the console's one .css file. */
declare module '*.css';
