"""Model of ``axi_read_arb.sv``: the weight readers of a design share one ``m_axi_weights``.

A design whose engines stream their weights (placed "ext") has one ``axi_read_stream`` per
such engine, and the UltraRAM loaders' fetch besides when it has one; the arbiter puts
them all on the top's one AXI4 read port, round robin by burst (``e3ne.hw.cores
.axi_read_stream.arbitrate``). It has no streams: its ports are the readers' AR and R
channels and the top's port. Off the image path, like the readers: the cycle model never
reaches it; the resource model counts it.
"""

from __future__ import annotations

from e3ne.hw.cores.axi_read_stream import m_axi_ports, top_port_inputs
from e3ne.hw.cores.base import Core, OffImagePath, clog2, register_core
from e3ne.hw.memory import lutram_sites


@register_core
class AxiReadArb(OffImagePath, Core):
    """N read managers on one port: a registered AR stage granted round robin, a route
    FIFO of DEPTH granted indices sending each burst's R beats to its manager."""

    module = "axi_read_arb"
    sources = ("stream_fifo.sv", "axi_read_arb.sv")
    stage = "fetch"

    @staticmethod
    def parameters(n: int, data_w: int, addr_w: int, depth: int) -> dict:
        return {"N": n, "DATA_W": data_w, "ADDR_W": addr_w, "DEPTH": max(2, depth)}

    def inputs(self) -> list:
        return []

    def outputs(self) -> list:
        return []

    @classmethod
    def ports(cls, params: dict) -> tuple[int, int]:
        return 0, 0

    @classmethod
    def aux_ports(cls, params: dict) -> list[tuple[str, bool, int]]:
        n, a, d = params["N"], params["ADDR_W"], params["DATA_W"]
        return [("s_arvalid", True, n), ("s_arready", False, n), ("s_araddr", True, n * a),
                ("s_arlen", True, n * 8), ("s_arsize", True, n * 3), ("s_arburst", True, n * 2),
                ("s_rvalid", False, n), ("s_rready", True, n), ("s_rdata", False, d),
                ("s_rresp", False, 2), ("s_rlast", False, 1), *m_axi_ports(a, d)]

    def aux_connections(self) -> dict[str, str]:
        """The managers' AR and R wires (``info["managers"]``, reader instance names,
        manager 0 first: concatenations list the last one first), the top's
        ``m_axi_weights_*`` inputs, and wires ``<instance>_<port>`` for its outputs."""
        mgrs = self.info["managers"]
        conn = {p: f"{self.name}_{p}" for p, is_in, _ in self.aux_ports(self.params)
                if not is_in}

        def cat(port: str) -> str:
            return "{" + ", ".join(f"{m}_{port}" for m in reversed(mgrs)) + "}"

        conn.update({f"s_ar{x}": cat(f"m_axi_ar{x}")
                     for x in ("valid", "addr", "len", "size", "burst")})
        conn["s_rready"] = cat("m_axi_rready")
        conn.update(top_port_inputs(self))
        return conn

    # --- resources -------------------------------------------------------------------
    @classmethod
    def features(cls, params: dict) -> tuple[dict, dict]:
        n, iw = params["N"], max(1, clog2(params["N"]))
        ar = params["ADDR_W"] + 13  # an AR: address, length, size, burst
        return ({"const": 1.0, "ar": ar * n, "route": iw * params["DEPTH"],
                 "routemem": lutram_sites(params["DEPTH"] - 1, iw), "mgr": n}, {})

    @classmethod
    def calibration_plan(cls) -> list[dict]:
        return [cls.parameters(n, d, a, dp) for n, d, a, dp in
                [(1, 512, 40, 4), (2, 512, 40, 8), (3, 64, 32, 6), (4, 512, 40, 16),
                 (6, 128, 40, 24)]]
