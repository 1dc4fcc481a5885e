// Issue 18's suite with zarrita.js (pinned in tests/fixtures/js/package-lock.json; `npm ci` there installs it), on
// the v3 arrays Zarr.Benchmarks writes (zarrs-prepare): one workload in this process, one JSON line on stdout.
//
//   node peer_zarrita.mjs SUITE_ROOT WORKLOAD REPS
//
// zs-read-all-L: zarr.get(array) (the whole array); zs-read-chunks-L / zs-read-inner-L: every 256³ (64³) block as
// its own zarr.get, 2 in flight; zs-roundtrip-L: every chunk read with zarr.get and written with zarr.set into a new
// array of the same zarr.json (2 in flight), removed after the repetition (untimed). zarrita decodes on the one
// JavaScript thread (zstd through numcodecs.js' WebAssembly); "in flight" overlaps only its I/O.
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const js = process.env.ZARRITA_JS_DIR ?? path.join(here, "..", "..", "tests", "fixtures", "js");
const modules = path.join(js, "node_modules");
if (!fs.existsSync(path.join(modules, "zarrita"))) {
	console.error(`peer_zarrita.mjs: zarrita.js is not installed in ${js}: (cd ${js} && npm ci) (needs: apt-get install -y nodejs npm)`);
	process.exit(3);
}
const zarr = await import(pathToFileURL(path.join(modules, "zarrita", "dist", "src", "index.js")));
const FileSystemStore = (await import(pathToFileURL(path.join(modules, "@zarrita", "storage", "dist", "src", "fs.js")))).default;

const N = 1024;
const NBYTES = N * N * N * 2;
const [root, name, repsText] = process.argv.slice(2);
const reps = Number(repsText);
const m = /^zs-(read-all|read-chunks|read-inner|roundtrip)-(\w+)$/.exec(name ?? "");
if (!m || !(reps > 0)) {
	console.error("usage: node peer_zarrita.mjs SUITE_ROOT zs-KIND-LAYOUT REPS");
	process.exit(2);
}
const [, kind, layout] = m;
const value = (z, y, x) => Number((BigInt(x) + (BigInt(y) * BigInt(y)) / 32n + BigInt(z) ** 3n) % 65536n);
const source = path.join(root, `${layout}.zarr`);
const open = async (p) => zarr.open.v3(zarr.root(new FileSystemStore(p)), { kind: "array" });
const src = await open(source);
const baseline = process.memoryUsage().rss / 1048576;

async function pool(count, width, body) {
	let next = 0;
	await Promise.all(Array.from({ length: width }, async () => {
		for (let k; (k = next++) < count;) {
			await body(k);
		}
	}));
}

const blocks = (edge) => {
	const per = N / edge;
	return { count: per ** 3, at: (k) => [Math.floor(k / (per * per)) * edge, (Math.floor(k / per) % per) * edge, (k % per) * edge] };
};

let check = () => {};
const outputs = [];
let run;
if (kind === "read-all") {
	run = async () => {
		const a = await zarr.get(src);
		const last = a.data[a.data.length - 1];
		const mid = a.data[513 * N * N + 77 * N + 1000];
		check = () => {
			if (last !== value(N - 1, N - 1, N - 1) || mid !== value(513, 77, 1000)) throw new Error("wrong values read");
		};
	};
} else if (kind === "read-chunks" || kind === "read-inner") {
	const edge = kind === "read-chunks" ? 256 : 64;
	const b = blocks(edge);
	run = async () => {
		let sum = 0;
		await pool(b.count, 2, async (k) => {
			const [z, y, x] = b.at(k);
			const a = await zarr.get(src, [zarr.slice(z, z + edge), zarr.slice(y, y + edge), zarr.slice(x, x + edge)]);
			sum += a.data[a.data.length - 1];
		});
		check = () => {
			let expected = 0;
			for (let k = 0; k < b.count; k++) {
				const [z, y, x] = b.at(k);
				expected += value(z + edge - 1, y + edge - 1, x + edge - 1);
			}
			if (sum !== expected) throw new Error(`read ${sum}, expected ${expected}`);
		};
	};
} else {
	const edge = 256;
	const b = blocks(edge);
	run = async () => {
		const out = path.join(root, `zarrita-roundtrip-${layout}-${process.pid}-${outputs.length}`);
		outputs.push(out);
		fs.mkdirSync(out);
		fs.copyFileSync(path.join(source, "zarr.json"), path.join(out, "zarr.json"));
		const dst = await open(out);
		await pool(b.count, 2, async (k) => {
			const [z, y, x] = b.at(k);
			const sel = [zarr.slice(z, z + edge), zarr.slice(y, y + edge), zarr.slice(x, x + edge)];
			await zarr.set(dst, sel, await zarr.get(src, sel));
		});
		check = async () => {
			const r = await open(out);
			const v = await zarr.get(r, [513, 77, 1000]);
			if (v !== value(513, 77, 1000)) throw new Error(`round trip: ${v} at (513, 77, 1000), expected ${value(513, 77, 1000)}`);
		};
	};
}

try {
	await run(); // warm-up
	const walls = [];
	const cpus = [];
	for (let r = 0; r < reps; r++) {
		for (const o of outputs.splice(0)) fs.rmSync(o, { recursive: true, force: true });
		globalThis.gc?.();
		const c0 = process.cpuUsage();
		const t0 = process.hrtime.bigint();
		await run();
		walls.push(Number(process.hrtime.bigint() - t0) / 1e9);
		const c = process.cpuUsage(c0);
		cpus.push((c.user + c.system) / 1e6);
	}
	await check();
	for (const o of outputs) fs.rmSync(o, { recursive: true, force: true });
	const sorted = [...walls].sort((a, b) => a - b);
	const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
	console.log(JSON.stringify({
		workload: name, median_s: median, min_s: sorted[0], max_s: sorted[sorted.length - 1], GBps_median: NBYTES / median / 1e9,
		walls, reps, cpu_s_median: [...cpus].sort((a, b) => a - b)[Math.floor(cpus.length / 2)], peak_rss_mib: Math.round(process.resourceUsage().maxRSS / 102.4) / 10, baseline_rss_mib: Math.round(baseline * 10) / 10,
		mode: "zarrita.js", node: process.version,
	}));
} catch (e) {
	for (const o of outputs) fs.rmSync(o, { recursive: true, force: true });
	console.log(JSON.stringify({ workload: name, mode: "zarrita.js", error: `${e?.name ?? "Error"}: ${e?.message ?? e}` }));
}
