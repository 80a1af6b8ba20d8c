/**
 * @brief   Self-checking bench of div_const.sv.
 * @author  e3ne
 * @description
 *  Applies every numerator n in [0, NMAX] and checks q == n / D (integer division in the
 *  bench, independent of the core's reciprocal), then prints PASS or FAIL with the first
 *  wrong quotient, and calls $finish. Combinational core: one time step per value.
 */
module div_const_tb #(
	parameter int NMAX = 63,  // largest numerator
	parameter int D    = 4,   // divisor
	parameter int QW   = 4    // quotient bits
);
	localparam int NW = NMAX > 0 ? $clog2(NMAX + 1) : 1;

	logic [NW-1:0]  n;
	logic [QW-1:0]  q;
	div_const #(.NMAX(NMAX), .D(D), .QW(QW)) dut (.n(n), .q(q));

	initial begin : blkCheck
		int  bad;
		bad = 0;
		for (int v = 0; v <= NMAX; v++) begin
			n = NW'(v);
			#1;
			if (int'(q) != v / D) begin
				if (bad == 0)
					$display("FAIL: div_const NMAX=%0d D=%0d: n=%0d gives %0d, expected %0d",
					         NMAX, D, v, q, v / D);
				bad++;
			end
		end
		if (bad == 0)  $display("PASS div_const NMAX=%0d D=%0d (%0d values)", NMAX, D, NMAX + 1);
		else           $display("FAIL: %0d wrong quotients", bad);
		$finish;
	end
endmodule : div_const_tb
