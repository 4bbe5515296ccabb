import { main } from './main.js';

// Let stdout drain before exiting: large --json output must not be cut off.
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
