"""Synaptic layers (Conv2d and Linear) with their radix neurons (DESIGN §2).

Membrane ``V_c = Σ_i w_ci·q_i`` (Horner over MSB-first spike planes),
``U_c = V_c·2^F + β_c`` (``+ M·q_skip`` where the layer closes a residual block: the
activation a fork saved, rescaled by the integer ``M``); a hidden layer fires
``q_c = clamp(floor(U_c/θ_c), 0, 2^T-1)`` by successive subtraction, the output layer
emits ``U_c`` (``max(U_c, 0)`` when the model ends in a ReLU). A projection shortcut
(ResNet's 1x1 strided conv on the skip, ``shortcut``) adds ``M·V_s`` instead, with
``V_s = Σ_i ws_ci·q_skip,i`` the shortcut's membrane (no bias: it is folded into β).

Why the fast executor is exact: every operand is an integer, and every product and every
partial sum of ``Σ_i w_ci·q_i`` in any order is an integer of magnitude at most
``B = max_c Σ_i |w_ci|·(2^T-1)``. Floating point represents every integer up to ``2^24``
(float32) or ``2^53`` (float64) exactly, and adding or multiplying such integers rounds
only when the exact result exceeds that range. So a convolution or matrix product
computed as sums of products, in any order or blocking, is exact when ``B`` is below the
limit. We pick float32 below ``2^24``, float64 below ``2^53``, and exact int64 unfolding
above; activations travel between layers as exact integers in whichever dtype the layer
used (``golden.run_fast`` returns int64). (Fast transforms such as Winograd or FFT would
break this; PyTorch's CPU convolution and GEMM compute plain sums of products, and the
property tests compare against the literal executor on every value.)
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

import numpy as np
import torch

from e3ne.errors import FormatError
from e3ne.hw.cores.base import Stream
from e3ne.hw.cores.residual_join import join
from e3ne.hw.cores.synaptic_engine import (
    WGT_BRAM,
    WGT_EXT,
    WGT_URAM,
    SynapticEngine,
    engine,
    hex_lines,
    pack_lanes,
    signed_bits,
)
from e3ne.hw.memory import weights_in_bram
from e3ne.layers.base import LAYER_KINDS, Layer

__all__ = ["FLOAT32_EXACT", "FLOAT64_EXACT", "Synaptic", "signed_bits"]

FLOAT32_EXACT = 1 << 24
FLOAT64_EXACT = 1 << 53


@dataclass
class Synaptic(Layer):
    """Common part of Conv and Linear: integer weights, β, θ, F and the neuron."""

    weight: np.ndarray = field(default=None, repr=False)  # int64, [C_out, ...]
    beta: np.ndarray = field(default=None, repr=False)  # int64, [C_out]
    theta: np.ndarray | None = field(default=None, repr=False)  # int64 [C_out]; None if output
    shift: int = 0  # F
    output: bool = False  # last synaptic layer: emits U, no neuron
    output_relu: bool = False  # the output layer ends in a ReLU: it emits max(U, 0)
    act_scale: float = 1.0  # float value of one LSB of the output (q, or U if output)
    skip: str | None = None  # closes a residual block: the fork whose activation it adds
    skip_mult: int = 0  # M, the skip's rescale into U's unit: U += M·q_skip
    shortcut: Synaptic | None = None  # a projection of the skip: U += M·V_s (a Conv)
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    kind: ClassVar[str] = ""
    synaptic: ClassVar[bool] = True

    @classmethod
    def fold_input_affine(cls, spec, a: torch.Tensor, b: torch.Tensor, where: str) -> None:
        """The float layer ``spec`` sees ``a·x + b`` (per input channel): fold it into its
        weights and bias (exact away from padding)."""
        raise NotImplementedError

    @property
    def out_channels(self) -> int:
        return int(self.weight.shape[0])

    @property
    def fan_in(self) -> int:
        return int(np.prod(self.weight.shape[1:]))

    def membrane_bounds(self, T: int) -> tuple[np.ndarray, np.ndarray]:
        """Per-channel least and greatest ``V`` for inputs in [0, 2^T-1]."""
        w = self.weight.reshape(self.out_channels, -1)
        qmax = (1 << T) - 1
        return np.minimum(w, 0).sum(1) * qmax, np.maximum(w, 0).sum(1) * qmax

    def potential_bounds(self, T: int) -> tuple[np.ndarray, ...]:
        """Per-channel bounds ``(V_lo, V_hi, U_lo, U_hi)`` over all inputs in [0, 2^T-1]."""
        vlo, vhi = self.membrane_bounds(T)
        slo, shi = self.skip_bounds(T)
        return (vlo, vhi, vlo * (1 << self.shift) + self.beta + slo,
                vhi * (1 << self.shift) + self.beta + shi)

    def skip_bounds(self, T: int) -> tuple[np.ndarray | int, np.ndarray | int]:
        """Per-channel least and greatest ``M·q_skip`` (or ``M·V_s`` through a shortcut)."""
        if not self.skip:
            return 0, 0
        if self.shortcut is None:
            return 0, self.skip_mult * ((1 << T) - 1)
        lo, hi = self.shortcut.membrane_bounds(T)
        return self.skip_mult * lo, self.skip_mult * hi

    def acc_bits(self, T: int) -> int:
        """Accumulator width that holds ``V`` and ``U`` for every input: sums never wrap."""
        vlo, vhi, ulo, uhi = self.potential_bounds(T)
        lo = min(int(vlo.min()), int(ulo.min()), 0)
        hi = max(int(vhi.max()), int(uhi.max()), 0)
        return signed_bits(lo, hi)

    # --- checks --------------------------------------------------------------------
    def _validate_common(self, T: int, W: int, is_last: bool) -> None:
        where = self.where
        for fname in ("weight", "beta"):
            a = getattr(self, fname)
            if not isinstance(a, np.ndarray) or a.dtype.kind not in "iu":
                raise FormatError(f"{where}: {fname} must be an integer array")
        wmax = (1 << (W - 1)) - 1
        if self.weight.size and int(np.abs(self.weight).max()) > wmax:
            raise FormatError(
                f"{where}: weights exceed the {W}-bit range [-{wmax}, {wmax}] "
                f"(found {int(np.abs(self.weight).max())})"
            )
        c = self.out_channels
        if self.beta.shape != (c,):
            raise FormatError(f"{where}: beta has shape {self.beta.shape}, expected ({c},)")
        if not isinstance(self.shift, int) or not 0 <= self.shift <= 40:
            raise FormatError(f"{where}: shift F={self.shift!r} must be an integer in [0, 40]")
        if self.output != is_last:
            want = "the last synaptic layer" if is_last else "a hidden layer"
            raise FormatError(f"{where}: output={self.output} but it is {want}")
        if self.output_relu and not self.output:
            raise FormatError(f"{where}: output_relu is only for the output layer")
        if self.output:
            if self.theta is not None:
                raise FormatError(f"{where}: the output layer has no threshold theta")
        else:
            if not isinstance(self.theta, np.ndarray) or self.theta.shape != (c,):
                raise FormatError(f"{where}: theta must be an integer array of shape ({c},)")
            if self.theta.dtype.kind not in "iu" or (self.theta.size and self.theta.min() < 1):
                raise FormatError(f"{where}: theta must be positive integers")
        if self.skip is not None and (self.output or not isinstance(self.skip_mult, int)
                                      or self.skip_mult < 1):
            raise FormatError(f"{where}: a residual join (skip={self.skip!r}) needs a hidden "
                              f"layer and an integer skip_mult >= 1, got {self.skip_mult!r}")
        if self.shortcut is not None and (
                self.skip is None or self.shortcut.kind != "conv" or not self.shortcut.output
                or self.shortcut.out_channels != c or self.shortcut.shift
                or self.shortcut.beta.any()):
            raise FormatError(f"{where}: its shortcut must be a convolution with {c} output "
                              "channels, no bias, no shift, emitting V (output=True), on the "
                              "skip of a residual join")
        if self.shortcut is not None:
            self.shortcut._validate_common(T, W, True)
        if self.acc_bits(T) > 62:
            raise FormatError(f"{where}: accumulator needs {self.acc_bits(T)} bits (> 62)")

    # --- storage -------------------------------------------------------------------
    def arrays(self) -> dict[str, np.ndarray]:
        out = {"weight": self.weight.astype(np.int64), "beta": self.beta.astype(np.int64)}
        if self.theta is not None:
            out["theta"] = self.theta.astype(np.int64)
        if self.shortcut is not None:
            out.update({f"shortcut_{k}": v for k, v in self.shortcut.arrays().items()})
        return out

    def _json_common(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "shift": self.shift,
            "output": self.output,
            **({"output_relu": True} if self.output_relu else {}),
            "act_scale": self.act_scale,
            **({"skip": self.skip, "skip_mult": self.skip_mult} if self.skip else {}),
            **({"shortcut": self.shortcut.to_json()} if self.shortcut is not None else {}),
        }

    @staticmethod
    def _common_from_json(d: dict[str, Any], arrays: dict[str, np.ndarray]) -> dict[str, Any]:
        shortcut = None
        if d.get("shortcut") is not None:
            sd = d["shortcut"]
            if not isinstance(sd, dict) or sd.get("kind") not in LAYER_KINDS:
                raise FormatError(f"layer '{d['name']}': malformed shortcut {sd!r}")
            shortcut = LAYER_KINDS[sd["kind"]].from_json(sd, {
                k[len("shortcut_"):]: v for k, v in arrays.items() if k.startswith("shortcut_")})
        return {
            "name": d["name"],
            "weight": arrays["weight"],
            "beta": arrays["beta"],
            "theta": arrays.get("theta"),
            "shift": d["shift"],
            "output": d["output"],
            "output_relu": bool(d.get("output_relu", False)),
            "act_scale": float(d.get("act_scale", 1.0)),
            "skip": d.get("skip"),
            "skip_mult": int(d.get("skip_mult", 0)),
            "shortcut": shortcut,
        }

    def reads(self) -> str | None:
        return self.skip

    def skip_refusal(self, skip_shape, in_shape, out_shape) -> str | None:
        if self.kind != "conv":
            return "a residual join must be a convolution"
        if self.shortcut is not None:
            sc = self.shortcut
            if sc.weight.ndim != 4 or len(skip_shape) != 3 or sc.weight.shape[1] != skip_shape[0]:
                return (f"its shortcut takes {sc.weight.shape[1]} channels, the skip has shape "
                        f"{tuple(skip_shape)}")
            try:
                sc.check_geometry(tuple(skip_shape))
            except FormatError as e:
                return f"its shortcut: {e}"
            skip_shape = sc.out_shape(tuple(skip_shape))
        if tuple(skip_shape) != tuple(out_shape):
            what = "the shortcut's output" if self.shortcut is not None else "the skip"
            return (f"its output {tuple(out_shape)} differs from {what} {tuple(skip_shape)}; "
                    "the residual add needs equal shapes")
        return None

    # --- golden: the neuron ------------------------------------------------------
    def neuron_fast(self, v: torch.Tensor, T: int, skip: torch.Tensor | None = None
                    ) -> torch.Tensor:
        """``V`` (channel axis 1) -> ``q`` for hidden layers, ``U`` for the output layer.

        Works in ``v``'s dtype. In floating point it is exact when ``|U| + θ`` stays below
        the dtype's exact-integer limit (``_exact_dtype`` checks): ``U·2^F + β`` is then an
        exact integer, and for ``U = kθ - r`` (``1 <= r < θ``) the correctly rounded
        quotient lies below ``k`` because ``r/θ >= 1/θ`` exceeds half an ulp of ``k``
        whenever ``kθ < 2^24`` (float32) or ``2^53`` (float64); so ``floor`` is exact.
        """
        shape = (1, -1) + (1,) * (v.dim() - 2)
        key = ("neuron", v.dtype)
        if key not in self._cache:
            theta = None if self.theta is None else torch.from_numpy(self.theta).to(v.dtype)
            self._cache[key] = (torch.from_numpy(self.beta).to(v.dtype).view(shape),
                                None if theta is None else theta.view(shape))
        beta, theta = self._cache[key]
        u = v * (1 << self.shift) + beta if self.shift else v + beta
        if self.skip is not None:  # the residual: exact, within the bounds checked above
            if self.shortcut is not None:  # a projection: its membrane V_s, exact
                skip = self.shortcut.membrane_fast(skip, T)
            u = u + skip.to(v.dtype) * self.skip_mult
        if self.output:
            return u.clamp(min=0) if self.output_relu else u
        if v.dtype == torch.int64:
            return torch.div(u, theta, rounding_mode="floor").clamp_(0, (1 << T) - 1)
        return torch.floor(u / theta).clamp_(0, (1 << T) - 1)

    def neuron_literal(self, u: np.ndarray, T: int) -> np.ndarray:
        """Successive subtraction: at step t, fire and subtract ``θ·2^(T-1-t)`` if U reaches it."""
        shape = (1, -1) + (1,) * (u.ndim - 2)
        theta = self.theta.reshape(shape)
        u = u.copy()
        spikes = np.zeros((T,) + u.shape, dtype=np.uint8)
        for t in range(T):
            thr = theta << (T - 1 - t)
            fire = u >= thr
            spikes[t] = fire
            u -= np.where(fire, thr, 0)
        return spikes

    def membrane_literal(self, spikes: np.ndarray) -> np.ndarray:
        """``V`` from spike trains ``[T, N, ...]``, MSB first: ``V <- 2V + Σ w·s_t``."""
        v = None
        for plane in spikes:
            current = self.synaptic_current(plane.astype(np.int64))
            v = current if v is None else 2 * v + current
        return v

    def run_literal(self, spikes: np.ndarray, T: int, skip: np.ndarray | None = None
                    ) -> np.ndarray:
        v = self.membrane_literal(spikes)
        shape = (1, -1) + (1,) * (v.ndim - 2)
        u = v * (1 << self.shift) + self.beta.reshape(shape)
        if self.skip is not None:  # the skip's train read MSB first (Horner), rescaled
            if self.shortcut is not None:  # through the projection, spike by spike
                q = self.shortcut.membrane_literal(skip)
            else:
                q = np.zeros(skip.shape[1:], dtype=np.int64)
                for plane in skip:
                    q = 2 * q + plane
            u = u + self.skip_mult * q
        if self.output:
            return np.maximum(u, 0) if self.output_relu else u
        return self.neuron_literal(u, T)

    def synaptic_current(self, s: np.ndarray) -> np.ndarray:
        """Exact integer ``Σ_i w_ci·s_i`` for one spike plane (int64, numpy)."""
        raise NotImplementedError

    def _exact_dtype(self, T: int) -> torch.dtype:
        """The cheapest dtype in which membrane, ``U`` and the neuron's division are exact."""
        key = ("dtype", T)
        if key not in self._cache:
            vlo, vhi, ulo, uhi = self.potential_bounds(T)
            theta = 0 if self.theta is None else int(self.theta.max())
            slo, shi = self.skip_bounds(T)
            bound = max(int(-vlo.min()), int(vhi.max()), int(-np.min(slo)), int(np.max(shi)),
                        int(np.abs(ulo).max()) + theta, int(np.abs(uhi).max()) + theta)
            self._cache[key] = (torch.float32 if bound < FLOAT32_EXACT else
                                torch.float64 if bound < FLOAT64_EXACT else torch.int64)
        return self._cache[key]

    def _weight_as(self, dtype: torch.dtype) -> torch.Tensor:
        key = ("w", dtype)
        if key not in self._cache:
            self._cache[key] = torch.from_numpy(self.weight).to(dtype)
        return self._cache[key]

    # --- hardware: a synaptic engine behind the kind's input cores -------------------
    def hw_widths(self, T: int) -> tuple[int, int, int]:
        """(accumulator, bias, threshold) widths of the engine."""
        key = ("hw_widths", T)
        if key not in self._cache:
            b_w = signed_bits(int(self.beta.min()), int(self.beta.max()))
            th_w = 1 if self.output else max(1, int(self.theta.max()).bit_length())
            self._cache[key] = (self.acc_bits(T), b_w, th_w)
        return self._cache[key]

    def legal_simd(self) -> list[int]:
        """SIMD values (window elements per beat) the kind's cores accept."""
        raise NotImplementedError

    def hw_weights(self, order: tuple[int, int, int] | None) -> np.ndarray:
        """Weights as ``[C_OUT, MW]`` in the order the engine's input stream brings them
        (``order``: the (C, H, W) of a flatten before this layer, streamed as HWC)."""
        raise NotImplementedError

    def hw_input(self, design, src: Stream, shape: tuple[int, ...], fold, tag: str
                 ) -> tuple[Stream, tuple[int, int, int] | None]:
        """The cores between ``src`` and the engine: (the engine's input stream, the
        feature order of its weights)."""
        raise NotImplementedError

    def engine_params(self, fold, T: int, W: int) -> dict:
        """The synaptic_engine parameters (without memory file names) for this layer folded
        as ``fold``, weights placed as ``fold.weights`` resolves (e3ne.hw.memory)."""
        acc, b_w, th_w = self.hw_widths(T)
        nf, sf = self.out_channels // fold.PE, self.fan_in // fold.SIMD
        wgt = WGT_EXT if fold.weights == "ext" else WGT_URAM if fold.weights == "uram" else int(
            weights_in_bram(fold.weights, nf * sf, fold.PE * fold.SIMD * W))
        # a residual join's engine emits U (OUTPUT 1, in the accumulator's width, which
        # holds U + M·q_skip too); the join neuron after it fires
        return SynapticEngine.parameters(self.fan_in, self.out_channels, fold.PE, fold.SIMD,
                                         fold.TP, T, W, acc, self.shift, b_w, th_w,
                                         self.output or self.skip is not None, wgt,
                                         output_relu=self.output_relu)

    def _join(self, design, u: Stream, engine_params: dict, fold, stem: str, tag: str
              ) -> Stream:
        """The join neuron after this layer's engine: ``U`` plus the rescaled skip fires."""
        th_w = self.hw_widths(design.T)[2]
        skip = design.skips[self.skip]
        params = {"PE": fold.PE, "NF": self.out_channels // fold.PE,
                  "U_W": engine_params["OUT_W"], "T": design.T,
                  **({"S_W": skip.lane_w, "S_SIGNED": 1} if self.shortcut is not None else {}),
                  "M": self.skip_mult, "TH_W": th_w, "THRESH_FILE": f"{stem}_jt.mem"}
        if design.writing:
            pe, nf = fold.PE, params["NF"]
            design.files[params["THRESH_FILE"]] = hex_lines(
                [pack_lanes(self.theta[f * pe:(f + 1) * pe], th_w) for f in range(nf)],
                pe * th_w)
        return join(design, u, skip, params, tag)

    def shortcut_fold(self, fold, in_lanes: int):
        """The projection shortcut's fold, from this layer's: as many lanes (its ``V_s``
        beats then pair with ``U``'s one to one), and the fewest window elements a beat
        with which a window takes it no longer than this layer's engine takes one, and
        its window unit takes a beat of ``in_lanes`` channels a cycle (so the shortcut
        never sets the block's pace, nor the fork's); weights in LUT logic (a 1x1
        shortcut has few)."""
        sc = self.shortcut
        nf = sc.out_channels // fold.PE
        c_in = int(sc.weight.shape[1])

        def fast_enough(simd: int) -> bool:
            return (nf * (sc.fan_in // simd) <= (self.out_channels // fold.PE) * (
                self.fan_in // fold.SIMD) and min(simd, c_in) >= min(in_lanes, c_in))

        simd = next((s for s in sorted(sc.legal_simd()) if fast_enough(s)),
                    max(sc.legal_simd()))
        return replace(fold, SIMD=simd, weights="lut")  # legal: PE divides C_out, as here

    def build_shortcut(self, design, src: Stream, shape: tuple[int, ...], tag: str) -> Stream:
        """The projection shortcut's cores on the fork's copy ``src`` of ``shape``: its
        window unit and an engine emitting ``V_s`` (an output-layer engine: no neuron;
        zero bias, F = 0)."""
        sc = self.shortcut
        fold = self.shortcut_fold(design.fold(self), src.lanes)
        win, _ = sc.hw_input(design, src, shape, fold, tag)
        params = sc.engine_params(fold, design.T, design.W)
        stem = f"{tag}_{''.join(ch if ch.isalnum() else '_' for ch in sc.name)}"
        if design.writing:
            files, names = SynapticEngine.memory_images(sc.hw_weights(None), sc.beta, None,
                                                        params, stem)
            design.files.update(files)
        else:
            names = SynapticEngine.file_names(stem, True)
        params.update(names)
        dst = engine(design, win, params, {"WGT_BITS": sc.live_weight_bits(fold, design.W, None)},
                     tag)
        design.stage({"layer": sc.name, "kind": "shortcut", "index": design.index,
                      **vars(fold), "weights_in": "lut", "acc_bits": params["ACC_W"],
                      "mw": params["MW"], "tap": dst.doc()})
        return dst

    def live_weight_bits(self, fold, W: int, order: tuple[int, int, int] | None) -> int:
        """Weight-ROM bit columns synthesis keeps (once per fold: the search asks often)."""
        key = ("live", fold.PE, fold.SIMD, W, order)
        if key not in self._cache:
            self._cache[key] = SynapticEngine.live_weight_bits(
                self.out_channels, self.fan_in, fold.PE, fold.SIMD, W,
                lambda: self.hw_weights(order))
        return self._cache[key]

    def build_hw(self, design, src: Stream, shape: tuple[int, ...], tag: str) -> Stream:
        fold = design.fold(self)
        win, order = self.hw_input(design, src, shape, fold, tag)
        params = self.engine_params(fold, design.T, design.W)
        stem = f"{tag}_{''.join(ch if ch.isalnum() else '_' for ch in self.name)}"
        theta = None if self.skip is not None else self.theta  # the join's, if it joins
        if design.writing:
            files, names = SynapticEngine.memory_images(self.hw_weights(order), self.beta,
                                                        theta, params, stem)
            design.files.update(files)
        else:
            names = SynapticEngine.file_names(stem, theta is None, params["WGT_RAM"])
        params.update(names)
        dst = engine(design, win, params,
                     {"WGT_BITS": self.live_weight_bits(fold, design.W, order)}, tag,
                     self.hw_weights(order) if design.writing else None)
        if self.skip is not None:
            dst = self._join(design, dst, params, fold, stem, tag)
        placed = {WGT_BRAM: "bram", WGT_URAM: "uram", WGT_EXT: "ext"}.get(params["WGT_RAM"],
                                                                          "lut")
        design.stage({"layer": self.name, "kind": self.kind, "index": design.index,
                      **vars(fold), "weights_in": placed,
                      "acc_bits": params["ACC_W"], "mw": params["MW"], "tap": dst.doc()},
                     (tag, dst))
        return dst
