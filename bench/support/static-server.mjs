// A plain loopback file server in its own process, so the app's downloader and curl fetch from
// the same server without sharing a CPU with it. Prints its port on stdout.
import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
const file = process.argv[2];
const size = statSync(file).size;
const server = createServer((request, response) => {
  const range = /bytes=(\d+)-/.exec(request.headers.range || '');
  const start = range ? Number(range[1]) : 0;
  response.writeHead(range ? 206 : 200, {
    'content-type': 'video/mp4',
    'content-length': size - start,
    ...(range ? { 'content-range': `bytes ${start}-${size - 1}/${size}` } : {}),
  });
  createReadStream(file, { start, highWaterMark: 1 << 20 }).pipe(response);
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
