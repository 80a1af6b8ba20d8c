"""Host driver for an e3ne accelerator: DMA buffers in, scores and classes out.

This file is copied verbatim next to a design (``DIR/host/e3ne_driver.py``) and onto the
board, so it imports nothing but numpy (and ``pynq``, lazily, inside ``Accelerator``). It
reads the design's ``plan.json`` (written by ``e3ne compile`` into ``DIR/rtl/``, copied into
``DIR/host/``) at run time, so one driver serves every design.

Stream formats (see the header of the generated ``e3ne_top.sv``):

* s_axis: ``in_pixels`` input pixels per beat (1 in most designs; absent from older
  plans: 1) in raster order, ``in_width`` bits (a whole number of bytes), pixel ``p``'s
  channel ``k`` at bits ``[(p*in_lanes + k)*T, ... + T)``; the DMA buffer holds the beats
  back to back, each little-endian.
* m_axis: per image ``out_beats - 1`` score beats of ``out_lanes`` signed ``score_bits``-bit
  lanes (lane ``j`` of beat ``b`` is class ``b*out_lanes + j``), then one class beat (the
  argmax, lowest index on ties) with tlast; each beat ``out_width`` bits, little-endian.
* s_axis_weights (only in designs with weights in UltraRAM, ``plan["weight_port"]``): after
  every reset, the bytes of ``weights.bin`` (``weight_port["beats"]`` beats of
  ``weight_port["width"]`` bits, little-endian); no image is taken before they are in.

Pure functions (``images_to_levels``, ``pack_images``, ``unpack_outputs``) run anywhere, so
the buffers can be checked against the golden model before the board is involved.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

PLAN_KEYS = ("in_width", "in_lanes", "in_beats", "out_width", "out_lanes", "score_bits",
             "out_beats", "num_classes", "T")


def load_plan(path: str | Path | None = None) -> dict:
    """The design's plan: ``path``, or ``plan.json`` next to this file, or ``../rtl/plan.json``."""
    p = find_plan(path)
    return check_plan(json.loads(p.read_text()), str(p))


def find_plan(path: str | Path | None = None) -> Path:
    """Where ``load_plan`` reads the plan from (its directory also holds ``weights.bin``)."""
    if path is None:
        here = Path(__file__).resolve().parent
        candidates = [here / "plan.json", here.parent / "rtl" / "plan.json"]
        path = next((c for c in candidates if c.is_file()), candidates[0])
    p = Path(path)
    if p.is_dir():
        p = next((c for c in (p / "plan.json", p / "rtl" / "plan.json") if c.is_file()),
                 p / "plan.json")
    if not p.is_file():
        raise FileNotFoundError(f"{p}: no plan.json; pass the plan.json of the design "
                                "(DIR/rtl/plan.json or DIR/host/plan.json)")
    return p


def check_plan(plan: dict, where: str = "plan") -> dict:
    """Fail early, in one line, on a plan this driver cannot use."""
    missing = [k for k in PLAN_KEYS if k not in plan]
    if missing:
        raise ValueError(f"{where}: missing {', '.join(missing)}; expected the plan.json "
                         "written by 'e3ne compile'")
    bad = [k for k in PLAN_KEYS if not isinstance(plan[k], int) or plan[k] < 1]
    if bad:
        raise ValueError(f"{where}: {', '.join(bad)} must be positive integers")
    if plan["in_width"] % 8 or plan["out_width"] % 8:
        raise ValueError(f"{where}: in_width/out_width must be whole bytes, got "
                         f"{plan['in_width']}/{plan['out_width']}")
    px = plan.setdefault("in_pixels", 1)
    if not isinstance(px, int) or px < 1:
        raise ValueError(f"{where}: in_pixels must be a positive integer, got {px!r}")
    if px * plan["in_lanes"] * plan["T"] > plan["in_width"]:
        raise ValueError(f"{where}: {px} pixel(s) of {plan['in_lanes']} channels of "
                         f"{plan['T']} bits do not fit in_width={plan['in_width']}")
    if plan["out_lanes"] * plan["score_bits"] > plan["out_width"]:
        raise ValueError(f"{where}: {plan['out_lanes']} lanes of {plan['score_bits']} bits do "
                         f"not fit out_width={plan['out_width']}")
    if plan["score_bits"] > 64:
        raise ValueError(f"{where}: score_bits={plan['score_bits']} exceeds int64; "
                         "this driver accepts at most 64")
    if plan["num_classes"] % plan["out_lanes"] or \
            plan["out_beats"] != plan["num_classes"] // plan["out_lanes"] + 1:
        raise ValueError(f"{where}: out_beats={plan['out_beats']} does not match "
                         f"{plan['num_classes']} classes in lanes of {plan['out_lanes']}; "
                         "expected num_classes/out_lanes + 1")
    return plan


def images_to_levels(images: np.ndarray, T: int, scale: float | None = None) -> np.ndarray:
    """Pixels in [0, 1] -> T-bit input levels ``clamp(floor(x*(2^T-1) + 1/2), 0, 2^T-1)``,
    or ``clamp(floor(x/scale + 1/2), 0, 2^T-1)`` at plan.json's ``input_scale``.

    The input encoding of docs/semantics.md, bit for bit as ``e3ne.golden.input_levels``
    (float64 arithmetic); a single ``[C, H, W]`` image becomes a batch of one.
    """
    if not isinstance(T, (int, np.integer)) or not 1 <= T <= 32:
        raise ValueError(f"T={T!r}: time steps must be an integer from 1 to 32")
    hi = (1 << int(T)) - 1
    x = np.asarray(images, dtype=np.float64)
    if x.ndim == 3:
        x = x[None]
    y = x * hi if scale is None else x / float(scale)
    return np.clip(np.floor(y + 0.5), 0, hi).astype(np.int64)


def pack_images(plan: dict, levels: np.ndarray) -> np.ndarray:
    """Input levels ``[N, C, H, W]`` -> the s_axis DMA buffer (flat uint8, little-endian beats).

    ``N * in_beats`` beats of ``in_width/8`` bytes: ``in_pixels`` pixels a beat in raster
    order, pixel ``p``'s channel ``k`` at bits ``[(p*C + k)*T, ... + T)`` of its beat, unused
    high bits zero.
    """
    check_plan(plan)
    q = np.asarray(levels)
    if q.ndim == 3:
        q = q[None]
    T, c, px = plan["T"], plan["in_lanes"], plan["in_pixels"]
    if q.ndim != 4 or q.shape[1] != c or q.shape[2] * q.shape[3] != plan["in_beats"] * px:
        raise ValueError(f"levels of shape {q.shape}: do not fit the design; expected "
                         f"[N, {c}, H, W] with H*W = {plan['in_beats'] * px}")
    if q.dtype.kind not in "iu":
        raise ValueError(f"levels of dtype {q.dtype}: expected integers; convert pixels in "
                         "[0, 1] with images_to_levels")
    hi = (1 << T) - 1
    if q.size and (q.min() < 0 or q.max() > hi):
        raise ValueError(f"levels in [{int(q.min())}, {int(q.max())}]: out of range; "
                         f"expected integers in [0, {hi}] (T={T})")
    # [beats, px*C]: px pixels a beat, raster order
    pix = q.astype(np.int64).transpose(0, 2, 3, 1).reshape(-1, c * px)
    shifts = np.arange(T, dtype=np.int64)
    bits = ((pix[:, :, None] >> shifts) & 1).astype(np.uint8).reshape(len(pix), c * px * T)
    full = np.zeros((len(pix), plan["in_width"]), np.uint8)
    full[:, :c * px * T] = bits  # bit (p*C + k)*T + t = bit t of pixel p's channel k
    return np.packbits(full, axis=1, bitorder="little").reshape(-1)


def unpack_outputs(plan: dict, buf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The m_axis DMA buffer -> (scores ``[N, num_classes]`` int64, classes ``[N]`` int64).

    ``buf`` is any contiguous array (its bytes are read) holding whole images of
    ``out_beats`` beats each; the classes are the ones the hardware sent, not recomputed.
    """
    check_plan(plan)
    raw = np.ascontiguousarray(buf).reshape(-1).view(np.uint8)
    bpb = plan["out_width"] // 8
    per_image = plan["out_beats"] * bpb
    if raw.size % per_image:
        raise ValueError(f"output buffer of {raw.size} bytes: not a whole number of images; "
                         f"expected a multiple of {per_image} ({plan['out_beats']} beats of "
                         f"{bpb} bytes)")
    n, lanes, sb = raw.size // per_image, plan["out_lanes"], plan["score_bits"]
    beats = raw.reshape(n, plan["out_beats"], bpb)
    bits = np.unpackbits(beats[:, :-1], axis=2, bitorder="little")  # [N, score beats, width]
    lane_bits = bits[:, :, :lanes * sb].reshape(n, plan["out_beats"] - 1, lanes, sb)
    scores = np.zeros(lane_bits.shape[:3], np.int64)
    for i in range(sb - 1):
        scores |= lane_bits[..., i].astype(np.int64) << i
    sign = lane_bits[..., sb - 1].astype(np.int64)
    scores -= sign << (sb - 1)  # two's complement (wraps correctly for sb == 64)
    scores = scores.reshape(n, plan["num_classes"])
    cls_bits = np.unpackbits(beats[:, -1], axis=1, bitorder="little")[:, :63]
    classes = np.zeros(n, np.int64)
    for i in range(cls_bits.shape[1]):
        classes |= cls_bits[:, i].astype(np.int64) << i
    return scores, classes


class Accelerator:
    """The accelerator on a PYNQ board: an overlay whose AXI DMA feeds s_axis and drains
    m_axis of ``e3ne_top`` (MM2S -> s_axis, m_axis -> S2MM, tlast ends each image).

    Images go one at a time: the receive channel is armed first (S2MM stops at tlast, one
    image per transfer), then the image is sent in pieces of at most ``max_transfer_bytes``
    (the DMA's buffer-length register; read from the driver when PYNQ knows it).
    """

    def __init__(self, bitfile: str | Path, plan_path: str | Path | None = None,
                 dma: str = "axi_dma_0", max_transfer_bytes: int | None = None,
                 download: bool = True) -> None:
        import pynq  # lazily: the pure functions above work without PYNQ

        self._pynq = pynq
        self.plan = load_plan(plan_path)
        self.weight_buffer = None  # m_axi weight port: the image the design reads
        self.weights_address: int | None = None  # ... and its address, for weights_addr
        self._plan_dir = find_plan(plan_path).parent
        self.overlay = pynq.Overlay(str(bitfile), download=download)
        try:
            self.dma = getattr(self.overlay, dma)
        except AttributeError:
            raise ValueError(f"{bitfile}: overlay has no IP called {dma!r}; pass dma= the "
                             "name of the AXI DMA wired to e3ne_top") from None
        limit = max_transfer_bytes or getattr(self.dma.sendchannel, "_max_size", None) \
            or (1 << 14) - 1
        bpb = self.plan["in_width"] // 8
        self.max_transfer_bytes = max(bpb, int(limit) // bpb * bpb)  # whole beats

    def load_weights(self, path: str | Path | None = None, dma: str = "axi_dma_weights"
                     ) -> int:
        """Load the weight image (``path``, default ``weights.bin`` next to the plan) of a
        design with weights in UltraRAM or streamed from DDR (``plan["weight_port"]``);
        returns its bytes. A design with streamed weights ("ext") keeps reading the buffer
        for as long as it runs: keep it allocated.

        ``kind`` "axis": sent into s_axis_weights through the AXI DMA called ``dma``, after
        every reset. ``kind`` "m_axi": copied into a contiguous buffer that stays
        allocated; the design reads it itself after each reset from the byte address on
        its ``weights_addr`` input, which is ``self.weights_address`` (drive it there,
        e.g. from an AXI GPIO, then reset the design)."""
        port = self.plan.get("weight_port")
        if not port:
            raise ValueError("this design keeps its weights in ROMs; it has no weight port "
                             "to load")
        p = Path(path) if path is not None else self._plan_dir / "weights.bin"
        data = np.fromfile(p, dtype=np.uint8) if p.is_file() else None
        want = port["beats"] * port["width"] // 8
        if data is None or data.size != want:
            raise ValueError(f"{p}: expected the design's weight image, {want} bytes "
                             f"({port['beats']} beats of {port['width']} bits)")
        if port.get("kind") == "m_axi":
            buf = self._pynq.allocate(shape=(data.size,), dtype=np.uint8)
            buf[:] = data
            buf.flush()
            self.weight_buffer, self.weights_address = buf, int(buf.device_address)
            if self.weights_address % (port["width"] // 8):
                raise ValueError(f"weight buffer at {self.weights_address:#x}: weights_addr "
                                 f"must be a multiple of {port['width'] // 8} bytes")
            return int(data.size)
        try:
            wdma = getattr(self.overlay, dma)
        except AttributeError:
            raise ValueError(f"overlay has no IP called {dma!r}; pass dma= the name of the AXI "
                             "DMA wired to s_axis_weights") from None
        buf = self._pynq.allocate(shape=(data.size,), dtype=np.uint8)
        try:
            buf[:] = data
            buf.flush()
            step = max(1, self.max_transfer_bytes // (port["width"] // 8)) * (port["width"] // 8)
            for off in range(0, data.size, step):
                wdma.sendchannel.transfer(buf, start=off, nbytes=min(step, data.size - off))
                wdma.sendchannel.wait()
        finally:
            buf.freebuffer()
        return int(data.size)

    def classify_levels(self, levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Input levels ``[N, C, H, W]`` -> (scores ``[N, num_classes]``, classes ``[N]``)."""
        plan = self.plan
        data = pack_images(plan, levels)
        in_img = plan["in_beats"] * plan["in_width"] // 8
        out_img = plan["out_beats"] * plan["out_width"] // 8
        n = data.size // in_img
        inbuf = self._pynq.allocate(shape=(data.size,), dtype=np.uint8)
        outbuf = self._pynq.allocate(shape=(n * out_img,), dtype=np.uint8)
        try:
            inbuf[:] = data
            inbuf.flush()
            send, recv = self.dma.sendchannel, self.dma.recvchannel
            for i in range(n):
                recv.transfer(outbuf, start=i * out_img, nbytes=out_img)
                for off in range(0, in_img, self.max_transfer_bytes):
                    send.transfer(inbuf, start=i * in_img + off,
                                  nbytes=min(self.max_transfer_bytes, in_img - off))
                    send.wait()
                recv.wait()
            outbuf.invalidate()
            return unpack_outputs(plan, np.array(outbuf))
        finally:
            inbuf.freebuffer()
            outbuf.freebuffer()

    def classify(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pixels in [0, 1], ``[N, C, H, W]`` -> (scores, classes)."""
        return self.classify_levels(images_to_levels(images, self.plan["T"],
                                                     self.plan.get("input_scale")))
