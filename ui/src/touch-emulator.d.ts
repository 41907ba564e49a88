// The package is a side-effect script without its own declarations.
declare module '@vant/touch-emulator'
