/******************************************************************************
 * @brief   Division by a constant without a divider: q = floor(n / D).
 * @author  e3ne
 *
 * @description
 *  Combinational, exact for every 0 <= n <= NMAX (the pool cores divide a
 *  window sum plus floor(D/2) by the window size D = K*K this way).
 *
 *  q = (n * M) >> SH with M = ceil(2^SH / D) and SH the smallest shift for
 *  which NMAX*E < 2^SH, E = M*D - 2^SH (0 <= E < D); recip_shift() finds it.
 *  Proof: write n = q*D + r with 0 <= r <= D-1. Then
 *      n*M / 2^SH = n*(2^SH + E) / (D*2^SH) = q + r/D + n*E/(D*2^SH).
 *  The last two terms are >= 0, and their sum is < 1 because
 *      r/D + n*E/(D*2^SH) < (D-1)/D + 1/D = 1,
 *  using n*E <= NMAX*E < 2^SH. Hence floor(n*M / 2^SH) = floor(n/D).
 *  (Such an SH exists: any SH with 2^SH > NMAX*(D-1) works, as E < D; for a
 *  power-of-two D the smallest SH gives E = 0, a plain shift.)
 *  The constant product is built from shifted copies of n, one per nonzero
 *  digit of M in non-adjacent form, M = MP - MN (blkMul), so synthesis uses
 *  adders and no DSP (D = 9 or 25 needs 3 or 4 terms). The product is taken
 *  modulo 2^PW, PW = NW + MW: exact, as n*M < 2^PW.
 *  Test: tests/hw/test_div_const.py checks every n in [0, NMAX] for several
 *  (D, NMAX), in Python and in the RTL under Verilator and Icarus.
 ******************************************************************************/

module div_const #(
	parameter int NMAX = 63,  // largest numerator, >= 0
	parameter int D    = 4,   // divisor, >= 1
	parameter int QW   = 4,   // quotient bits: floor(NMAX / D) < 2^QW
	parameter int NW   = NMAX > 0 ? $clog2(NMAX + 1) : 1  // numerator bits
)(
	input	logic [NW-1:0]  n,
	output	logic [QW-1:0]  q
);

	// smallest s with nmax * (ceil(2^s/d)*d - 2^s) < 2^s (see header)
	function automatic int recip_shift(input int nmax, input int d);
		longint  nn, dd, p, m, e;
		nn = 64'(nmax);
		dd = (d > 0) ? 64'(d) : 64'd1;
		recip_shift = 62;
		for (int s = 62; s >= 0; s--) begin
			p = 64'd1 << s;
			m = (p + dd - 1) / dd;
			e = m * dd - p;
			if (nn * e < p)  recip_shift = s;
		end
	endfunction

	localparam int DP    = D > 0 ? D : 1;                      // guarded D
	localparam int SH    = recip_shift(NMAX, DP);              // reciprocal shift
	localparam longint M = ((64'd1 << SH) + 64'(DP) - 1) / 64'(DP);  // ceil(2^SH/D)
	localparam int MW    = $clog2(M + 1);                      // bits of M
	// M = MP - MN in non-adjacent form (fewest nonzero signed digits)
	localparam longint MH = M >> 1;
	localparam longint MP = (M + MH) & (MH ^ (M + MH));        // +1 digits
	localparam longint MN = MH & (MH ^ (M + MH));              // -1 digits
	localparam int PW    = NW + MW;                            // product bits
	localparam longint QMAX = 64'(NMAX) / 64'(DP);             // largest quotient

	initial begin
		if (D < 1 || NMAX < 0) begin
			$error("%m: D (%0d) must be >= 1 and NMAX (%0d) >= 0", D, NMAX);
			$finish;
		end
		if (QW < 1 || QMAX >= (64'd1 << QW)) begin
			$error("%m: QW (%0d) bits cannot hold floor(NMAX / D) = %0d", QW, QMAX);
			$finish;
		end
	end

	logic [PW-1:0]  prod;
	always_comb begin : blkMul
		prod = '0;
		for (int b = 0; b <= MW; b++) begin
			if (MP[b])  prod = prod + (PW'(n) << b);
			if (MN[b])  prod = prod - (PW'(n) << b);
		end
	end : blkMul
	assign	q = prod[SH +: QW];

	// bits of the product above the quotient are zero by the proof
	wire  unused = &{1'b0, prod};

endmodule : div_const
