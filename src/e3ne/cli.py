"""Command line: ``e3ne convert | compile | explore | verify | synth | pnr | report |
train | demo``. Errors print one line and exit 2."""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

from e3ne.errors import ConfigError, E3neError


def _add_convert_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="zoo name (lenet5, fang, mobilenet_tiny, resnet10, resnet8, "
                   "kws, alexnet, vgg11, vgg16), file.py:ClassName, or model.onnx (a float "
                   "ONNX graph; its input shape is the graph's)")
    p.add_argument("--weights", help="trained weights: e3ne checkpoint or state_dict .pt "
                   "(zoo models on mnist/digits default to a cached training run)")
    p.add_argument("--dataset", choices=["mnist", "digits", "random"],
                   help="calibration/test data (zoo models default to their own)")
    p.add_argument("--input-shape", metavar="C,H,W|C,L|F", help="input shape (required for random "
                   "data with a non-zoo model); C,L for a 1-D model (Conv1d, pools) on "
                   "[N, C, L]; F for a model whose forward() takes [N, F] vectors (with "
                   "mnist/digits, F = the image's C*H*W: fed flattened)")
    p.add_argument("-T", type=int, help="time steps = activation bits (zoo default, else 4)")
    p.add_argument("-W", type=int, help="weight bits (zoo default, else 4)")
    p.add_argument("--percentile", type=float, default=99.99,
                   help="activation clipping percentile for calibration: the clip itself "
                        "with --act-clip percentile, the top of the search with mse "
                        "(default 99.99)")
    p.add_argument("--act-clip", choices=("mse", "percentile"), default="mse",
                   help="activation clip per layer: least squared rounding error up to the "
                        "percentile (mse, default) or the percentile itself")
    p.add_argument("--weight-clip", choices=("mse", "max"), default="mse",
                   help="weight scale per channel: the clip of least squared rounding "
                        "error (mse, default) or max |w| on the top level (max)")
    p.add_argument("--calib-images", type=int, default=1000,
                   help="training images used for calibration (default 1000)")
    p.add_argument("--qat-epochs", type=int, default=0,
                   help="quantisation-aware fine-tuning epochs (default 0: post-training)")


def _add_dse_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--device", default=None, help="target FPGA: xc7a35t, xc7z020 (default), "
                   "xczu3eg, xczu7ev, xczu9eg, xcvu9p, xcvu13p")
    p.add_argument("--budget", help="resource limits, counts or fractions of the device: "
                   "lut=18335,bram=40 or lut=0.5 (default: the whole device)")
    p.add_argument("--objective", choices=["latency", "throughput"], default="latency",
                   help="minimise one image's latency (default), or the smallest design "
                   "meeting --interval")
    p.add_argument("--interval", type=int, help="target cycles per image (throughput)")


def _convert_opts(args: argparse.Namespace):
    from e3ne.jobs import ConvertOptions, parse_shape

    return ConvertOptions(
        model=args.model, weights=args.weights, dataset=args.dataset,
        input_shape=parse_shape(args.input_shape) if args.input_shape else None,
        T=args.T, W=args.W, percentile=args.percentile, weight_clip=args.weight_clip,
        act_clip=args.act_clip, calib_images=args.calib_images,
        qat_epochs=args.qat_epochs)


def cmd_convert(args: argparse.Namespace) -> int:
    from e3ne.jobs import run_convert, summary_lines

    res = run_convert(_convert_opts(args), args.out)
    for line in summary_lines(res.net):
        print(line)
    fa, sa = res.float_accuracy, res.snn_accuracy
    acc = "n/a (no labels)" if fa is None else f"float {fa:.4f}, SNN {sa:.4f}"
    print(f"T={res.net.T} W={res.net.W}  accuracy: {acc}  ({res.seconds:.1f} s)")
    print(f"wrote {Path(args.out) / 'network.json'}, weights.npz, convert.json")
    return 0


def cmd_compile(args: argparse.Namespace) -> int:
    from e3ne.jobs import run_compile

    res = run_compile(_convert_opts(args), args.out, args.fold, device=args.device,
                      budget=args.budget, objective=args.objective, interval=args.interval,
                      clock_mhz=args.clock_mhz, weight_port=args.weight_port,
                      external_weights=args.external_weights)
    plan, est = res.plan, res.estimate
    tot = est["resources"]["total"]
    print(f"wrote {Path(args.out) / 'rtl'}: top module e3ne_top, {len(plan.stages)} stages, "
          f"s_axis {plan.in_width} bits x {plan.in_beats} beats/image, m_axis "
          f"{plan.out_width} bits x {plan.out_beats} beats/image")
    print(f"folds from {res.chosen_by}; modelled: latency {est['cycles']['latency']:,} "
          f"cycles, interval {est['cycles']['interval']:,}, {tot['LUT_total']:,} LUT, "
          f"{tot['FF']:,} FF, {tot['BRAM36_equiv']:g} BRAM36 (estimate.json); Vivado "
          f"project in {Path(args.out) / 'vivado'}, host driver in {Path(args.out) / 'host'}")
    _report(args.out)
    return 0


def cmd_explore(args: argparse.Namespace) -> int:
    from e3ne.dse.explore import front_table, parse_sweep
    from e3ne.jobs import run_explore

    sweep = parse_sweep(args.sweep)
    doc = run_explore(_convert_opts(args), device=args.device, budget=args.budget,
                      objective=args.objective, interval=args.interval, sweep=sweep,
                      out_dir=args.out, external_weights=args.external_weights)
    b = doc["budget"]
    print(f"{doc['model']} on {doc['device']} (budget {b['lut']:,} LUT, {b['ff']:,} FF, "
          f"{b['bram']:g} BRAM36), weights {doc['weights']}, objective {doc['objective']}: "
          "Pareto front (modelled)")
    for line in front_table(doc["points"]):
        print(line)
    print(f"search took {doc['search_seconds']:.2f} s; wrote {Path(args.out) / 'explore.json'}"
          " and plots")
    _report(args.out)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    _report(args.dir)
    return 0


def _report(design_dir: str | Path) -> None:
    """(Re)write DIR/report.html: every command that adds to a directory refreshes it."""
    from e3ne.report import write_report

    print(f"report: {write_report(design_dir)}")


def cmd_verify(args: argparse.Namespace) -> int:
    from e3ne.jobs import run_verify

    doc = run_verify(args.dir, images=args.images, dataset=args.dataset, stalls=args.stalls,
                     trace=args.trace, workers=args.workers, scheduler=args.scheduler,
                     activity=args.activity)
    for r in doc["runs"]:
        interval = "n/a" if r["interval_cycles"] is None else f"{r['interval_cycles']:.1f}"
        print(f"{r['images']} images{' (random stalls)' if r['stalls'] else ''}: "
              f"{r['mismatches']} mismatches, latency {r['latency_cycles']} cycles, "
              f"interval {interval} cycles")
    print(f"wrote {Path(args.dir) / 'verify.json'}")
    if args.activity:
        print(f"wrote {Path(args.dir) / 'activity.saif'}")
    _report(args.dir)
    return 0 if doc["mismatches"] == 0 else 1


def cmd_train(args: argparse.Namespace) -> int:
    from e3ne.data import load_dataset
    from e3ne.models.loader import load_model_spec
    from e3ne.models.zoo import ZOO
    from e3ne.train import TRAIN_DEFAULTS, evaluate, save_checkpoint, train_model

    entry = ZOO.get(args.model)
    pad_to = entry.pad_to if entry and entry.dataset == args.dataset else None
    X, y = load_dataset(args.dataset, "train", pad_to=pad_to)
    Xt, yt = load_dataset(args.dataset, "test", pad_to=pad_to)
    if args.input_shape:  # a model taking vectors: the images flattened
        n = X[0].numel()
        if args.input_shape != str(n):
            raise ConfigError(f"--input-shape {args.input_shape}: expected F = {n}, the "
                              f"number of values in a {args.dataset} image")
        X, Xt = X.flatten(1), Xt.flatten(1)
    recipe = TRAIN_DEFAULTS.get(args.model)
    epochs = args.epochs or (recipe.epochs if recipe else 10)
    lr = args.lr or (recipe.lr if recipe else 1e-3)
    model = load_model_spec(args.model)
    train_model(model, X, y, epochs=epochs, lr=lr, seed=args.seed)
    acc = evaluate(model, Xt, yt)
    save_checkpoint(args.out, args.model, model,
                    {"dataset": args.dataset, "epochs": epochs, "lr": lr, "seed": args.seed,
                     "test_accuracy": acc})
    print(f"{args.model}: test accuracy {acc:.4f} on {len(Xt)} images; wrote {args.out}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from e3ne.demo import run_demo

    res = run_demo(args.out, device=args.device, budget=args.budget,
                   verify_images_n=args.images, synth=not args.no_synth, pnr=not args.no_pnr)
    return 0 if res["mismatches"] == 0 else 1


def cmd_synth(args: argparse.Namespace) -> int:
    from e3ne.flow.yosys import summary_line, synthesize

    doc = synthesize(args.dir, family=args.family)
    print(f"{summary_line(doc)}; wrote {Path(args.dir) / 'synth.json'}")
    _report(args.dir)
    return 0


def cmd_pnr(args: argparse.Namespace) -> int:
    from e3ne.flow.pnr import place_and_route, summary_line

    doc = place_and_route(args.dir, device=args.device, speed=args.speed,
                          clock_mhz=args.clock_mhz, seed=args.seed)
    print(f"{summary_line(doc)}; wrote {Path(args.dir) / doc.FILE}")
    _report(args.dir)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="e3ne", description="PyTorch CNN -> radix-encoded spiking network -> FPGA logic")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("convert", help="convert a model to a radix SNN (network.json + "
                       "weights.npz + convert.json)")
    _add_convert_args(p)
    p.add_argument("--out", required=True, help="output directory")
    p.set_defaults(func=cmd_convert)

    p = sub.add_parser("compile", help="convert + fold + generate the RTL into DIR/rtl")
    _add_convert_args(p)
    p.add_argument("--fold", help="JSON file of per-layer {\"PE\", \"SIMD\", \"TP\", "
                   "\"weights\"} (weights: auto, lut, bram, uram on UltraScale+ parts: "
                   "loaded after each reset through the weight port, or ext: streamed from "
                   "DDR on m_axi_weights, again for every window; layers not named get a "
                   "legal default); "
                   "without it the design-space search chooses")
    _add_dse_args(p)
    p.add_argument("--clock-mhz", type=float, default=200.0,
                   help="target clock for the Vivado constraints and µs figures (default 200)")
    p.add_argument("--weight-port", choices=("axis", "m_axi"), default="axis",
                   help="how weights in UltraRAM come in after each reset: axis, a stream "
                        "the host sends (s_axis_weights; default), or m_axi, read by the "
                        "design from DDR (m_axi_weights, from the byte address on "
                        "weights_addr); streamed weights always use m_axi")
    p.add_argument("--external-weights", action="store_true",
                   help="the search may stream layers' weights from DDR (m_axi_weights: "
                        "one looping AXI reader per streamed layer, sharing the port): it "
                        "starts with every layer streamed and keeps on chip the layers whose "
                        "ROMs save the most time; for networks whose weights exceed the "
                        "device")
    p.add_argument("--out", required=True, help="output directory")
    p.set_defaults(func=cmd_compile)

    p = sub.add_parser("explore", help="search folds for a device and budget; print the "
                       "Pareto front, write DIR/explore.json and plots")
    _add_convert_args(p)
    _add_dse_args(p)
    p.add_argument("--sweep", nargs="+", metavar="T=..|W=..",
                   help="also sweep time steps and weight bits, e.g. T=2,3,4,6 W=3,4")
    p.add_argument("--external-weights", action="store_true",
                   help="let layers' weights stream from external memory (DDR, on "
                   "m_axi_weights) instead of on-chip ROMs where that fits the budget "
                   "better, for networks whose weights exceed the device's memory (compile "
                   "--external-weights builds such a design)")
    p.add_argument("--out", default=None, help="output directory (default out/explore-MODEL)")
    p.set_defaults(func=cmd_explore)

    p = sub.add_parser("report", help="write DIR/report.html (+ report.json) from what DIR "
                       "holds: accuracy, design space, cycles, resources, verification")
    p.add_argument("dir", help="a directory written by 'e3ne compile' or 'e3ne explore'")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("verify", help="co-simulate DIR's design in Verilator against the "
                       "golden model, bit for bit; writes DIR/verify.json")
    p.add_argument("dir", help="a directory written by 'e3ne compile'")
    p.add_argument("--images", type=int, default=100, help="images to stream (default 100)")
    p.add_argument("--dataset", choices=["mnist", "digits", "random"],
                   help="image source (default: the dataset the network was converted with)")
    p.add_argument("--stalls", action="store_true", help="also run with random input gaps "
                   "and output back-pressure")
    p.add_argument("--trace", action="store_true", help="on a mismatch, name the first "
                   "layer, pixel and channel that differ")
    p.add_argument("--activity", action="store_true", help="also write DIR/activity.saif: "
                   "the switching activity of every net over the plain run (for Vivado's "
                   "report_power; one process)")
    p.add_argument("--workers", type=int, metavar="K",
                   help="cut the images into K shards simulated at once by K local "
                   "processes (default 1); verify.json is the same as one process's")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run the shards on the Dask distributed cluster at ADDRESS "
                   "(tcp://host:port; one shard per worker thread unless --workers says); "
                   "its workers need e3ne installed, not this file system")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("synth", help="synthesize DIR's design with Yosys synth_xilinx and "
                       "count LUT/FF/CARRY/BRAM/URAM/DSP; writes DIR/synth.json")
    p.add_argument("dir", help="a directory written by 'e3ne compile'")
    p.add_argument("--family", default="xcup", metavar="xc7|xcup",
                   help="Xilinx family for synth_xilinx -family (xc7, xcu, xcup; default xcup)")
    p.set_defaults(func=cmd_synth)

    p = sub.add_parser("pnr", help="place and route DIR's design on a Lattice ECP5 (Yosys "
                       "synth_ecp5, nextpnr-ecp5, ecppack): Fmax measured by nextpnr, "
                       "utilisation, critical path, bitstream; writes DIR/pnr.json")
    p.add_argument("dir", help="a directory written by 'e3ne compile'")
    p.add_argument("--device", default="lfe5u-85f", metavar="lfe5u-85f",
                   help="lfe5u-25f, lfe5u-45f or lfe5u-85f (default lfe5u-85f)")
    p.add_argument("--speed", type=int, default=8, help="speed grade 6, 7 or 8 (default 8)")
    p.add_argument("--clock-mhz", type=float, default=200.0,
                   help="timing constraint for nextpnr in MHz (default 200); the achieved "
                   "Fmax is reported either way")
    p.add_argument("--seed", type=int, default=1, help="placer seed (default 1)")
    p.set_defaults(func=cmd_pnr)

    p = sub.add_parser("train", help="train a model in float on an offline dataset")
    p.add_argument("model", help="zoo name or file.py:ClassName")
    p.add_argument("--dataset", choices=["mnist", "digits"], default="mnist")
    p.add_argument("--epochs", type=int, help="default: the zoo recipe, else 10")
    p.add_argument("--lr", type=float, help="peak Adam learning rate")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--input-shape", metavar="F", help="for a model whose forward() takes "
                   "[N, F] vectors: F = the image's C*H*W, fed flattened")
    p.add_argument("--out", required=True, help="checkpoint file to write")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("demo", help="the main job: LeNet-5 trained on MNIST, explored for a "
                       "device, compiled, verified in Verilator, synthesized with Yosys, "
                       "placed and routed on an ECP5 with nextpnr (measured Fmax), "
                       "reported (DIR/report.html)")
    p.add_argument("--out", default="out/demo", help="output directory (default out/demo)")
    p.add_argument("--device", default="xc7z020", help="target FPGA (default xc7z020)")
    p.add_argument("--budget", default="lut=18335,bram=40", help="resource budget (default "
                   "E3NE's LeNet-5 design: lut=18335,bram=40)")
    p.add_argument("--images", type=int, default=200, help="test images to verify (default 200)")
    p.add_argument("--no-synth", action="store_true", help="skip Yosys synthesis")
    p.add_argument("--no-pnr", action="store_true", help="skip place and route (the clock "
                   "rate is then assumed, not measured)")
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "command", None) == "explore":
        args.device = args.device or "xc7z020"
        args.out = args.out or f"out/explore-{Path(args.model).stem.split(':')[0]}"
    try:
        return args.func(args)
    except E3neError as e:
        if args.debug:
            traceback.print_exc()
        print(f"e3ne: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("e3ne: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
