/******************************************************************************
 * @brief   Pooling reducer (max or average) behind the sliding-window unit.
 * @author  e3ne
 *
 * @description
 *  Input (the SWU window stream): for each output pixel, in raster order,
 *  the KK = K*K window elements in (ky, kx, c) order, c fastest, as
 *  KK*CF beats of SIMD lanes, CF = C/SIMD. Lane j of a beat is
 *  idat[j*T +: T], an unsigned T-bit activation; padded positions are 0.
 *  Since SIMD divides C, input beat b of a pixel holds channels
 *  g*SIMD .. g*SIMD+SIMD-1 of tap t, with t = b / CF and g = b % CF.
 *
 *  Output: for each output pixel, its C pooled channels as CF beats of SIMD
 *  lanes (HWC order, same packing): lane j of output beat g is channel
 *  g*SIMD + j at odat[j*T +: T].
 *
 *  MODE = 0, max:  y_c = max_t x_{t,c}  over the KK taps, T-bit unsigned.
 *      Zero padding takes part in the max; as all values are unsigned,
 *      max(x, 0) = x, so a padded zero never changes the result for the
 *      non-negative activations streamed here (it equals the max over the
 *      valid taps, which is what DESIGN.md §2 prescribes).
 *  MODE = 1, avg:  y_c = floor((S_c + floor(KK/2)) / KK),  S_c = sum_t x_{t,c}
 *      (padded zeros count, DESIGN.md §2). y_c <= 2^T-1 always, because
 *      N = S_c + floor(KK/2) <= NMAX = KK*(2^T-1) + floor(KK/2) < KK*2^T.
 *
 *  Division by the constant KK without a divider: y = (N * M) >> SH, with
 *  M = ceil(2^SH / KK) and SH the smallest shift for which NMAX*E < 2^SH,
 *  E = M*KK - 2^SH (0 <= E < KK); the function recip_shift() finds it.
 *  Proof that this is exact for 0 <= N <= NMAX: write N = q*KK + r with
 *  0 <= r <= KK-1. Then
 *      N*M / 2^SH = N*(2^SH + E) / (KK*2^SH) = q + r/KK + N*E/(KK*2^SH).
 *  The last two terms are >= 0, and their sum is < 1 because
 *      r/KK + N*E/(KK*2^SH) < (KK-1)/KK + 1/KK = 1,
 *  using N*E <= NMAX*E < 2^SH. Hence floor(N*M / 2^SH) = q = floor(N/KK).
 *  (Such an SH exists: any SH with 2^SH > NMAX*(KK-1) works, as E < KK;
 *  for a power-of-two KK the smallest SH gives E = 0, a plain shift.)
 *  The constant product is built from shifted copies of N, one per nonzero
 *  digit of M in non-adjacent form, M = MP - MN (blkMul), so synthesis
 *  uses adders and no DSP (a K=3 or K=5 window needs 3 or 4 terms).
 *  Test: tests/hw/test_pool_unit.py checks the identity exhaustively for
 *  every N in [0, NMAX] in Python, and feeds the RTL windows whose sums cover
 *  every value in [0, KK*(2^T-1)].
 *
 *  Datapath per lane: the accumulator of group g is Acc[0] (the low group of
 *  the packed register) when beat (t, g) arrives (the CF group accumulators rotate through the shift
 *  register Acc[0..CF-1], one step per input beat, so no addressing):
 *      base = (t == 0) ? INIT : Acc[0]     (INIT = floor(KK/2) for avg, 0 for max)
 *      nxt  = avg ? base + x : max(base, x)
 *  nxt is pushed into Acc[CF-1]; at the last tap t = KK-1 the result
 *  (avg: (nxt*M) >> SH, max: nxt) is loaded into the output register instead.
 *  Accumulator width AW = T for max, clog2(NMAX+1) for avg: no wrap.
 *
 *  Timing: the input takes one beat per cycle; it waits only when a
 *  last-tap beat meets a full output register that is not being read
 *  (irdy depends combinationally on ordy then). Output latency 1 cycle;
 *  per output pixel the CF output beats come in the cycles of the CF
 *  last-tap input beats, so KK*CF cycles per output pixel.
 *  Only control state (Tap, Grp, OVld) is reset.
 *****************************************************************************/

module pool_unit #(
	parameter int T    = 4,  // bits per activation (time steps)
	parameter int C    = 8,  // channels
	parameter int K    = 2,  // kernel size: KK = K*K taps per window
	parameter int SIMD = 2,  // channels per beat, divides C
	parameter int MODE = 0   // 0: max pooling, 1: average pooling
)(
	// Global Control
	input	logic  clk,
	input	logic  rst,  // synchronous, active-high

	// Input Stream: SWU windows
	output	logic  irdy,
	input	logic  ivld,
	input	logic [SIMD*T-1:0]  idat,

	// Output Stream: pooled pixels, HWC
	input	logic  ordy,
	output	logic  ovld,
	output	logic [SIMD*T-1:0]  odat
);

	//-------------------------------------------------------------------------
	// Derived constants
	function automatic int recip_shift(input int nmax, input int d);
		// smallest s with nmax * (ceil(2^s/d)*d - 2^s) < 2^s (see header)
		longint  n, dd, p, m, e;
		n  = 64'(nmax);
		dd = 64'(d);
		recip_shift = 62;
		for (int s = 62; s >= 0; s--) begin
			p = 64'd1 << s;
			m = (p + dd - 1) / dd;
			e = m * dd - p;
			if (n * e < p)  recip_shift = s;
		end
	endfunction

	localparam int KK    = K * K;                           // taps per window
	localparam int CF    = SIMD > 0 ? C / SIMD : 1;         // beats per tap
	localparam int NMAX  = KK * (2**T - 1) + KK / 2;        // largest avg numerator
	localparam int AW    = MODE == 1 ? $clog2(NMAX + 1) : T;   // accumulator bits
	localparam int INIT  = MODE == 1 ? KK / 2 : 0;          // accumulator start
	localparam int SH    = recip_shift(NMAX, KK);           // reciprocal shift
	localparam longint M = ((64'd1 << SH) + 64'(KK) - 1) / 64'(KK);  // ceil(2^SH/KK)
	localparam int MW    = $clog2(M + 1);                   // bits of M
	// M = MP - MN in non-adjacent form (fewest nonzero signed digits)
	localparam longint MH = M >> 1;
	localparam longint MP = (M + MH) & (MH ^ (M + MH));     // +1 digits
	localparam longint MN = MH & (MH ^ (M + MH));           // -1 digits
	localparam int PW    = AW + MW;                         // product bits
	localparam int TW    = KK > 1 ? $clog2(KK) : 1;         // tap counter bits
	localparam int GW    = CF > 1 ? $clog2(CF) : 1;         // group counter bits

	initial begin
		if (T < 1 || T > 16) begin
			$error("%m: T (%0d) must be in 1..16", T);
			$finish;
		end
		if (C < 1 || K < 1 || SIMD < 1) begin
			$error("%m: C (%0d), K (%0d) and SIMD (%0d) must be at least 1", C, K, SIMD);
			$finish;
		end
		if (C % SIMD != 0) begin
			$error("%m: SIMD (%0d) does not divide C (%0d)", SIMD, C);
			$finish;
		end
		if (MODE != 0 && MODE != 1) begin
			$error("%m: MODE (%0d) must be 0 (max) or 1 (avg)", MODE);
			$finish;
		end
	end

	typedef logic [AW-1:0]  acc_t;
	typedef logic [SIMD*AW-1:0]  lanes_t;  // lane j at [j*AW +: AW]

	//-------------------------------------------------------------------------
	// Control: tap and channel-group counters
	logic [TW-1:0]  Tap;   // tap of the current input beat, 0..KK-1
	logic [GW-1:0]  Grp;   // channel group of the current input beat, 0..CF-1
	logic  OVld;

	wire  fst  = (Tap == '0);
	wire  lst  = (Tap == TW'(KK - 1));
	wire  take = ivld && irdy;

	assign	irdy = !lst || !OVld || ordy;

	always_ff @(posedge clk) begin
		if (rst) begin
			Tap  <= '0;
			Grp  <= '0;
			OVld <= 0;
		end
		else begin
			if (take) begin
				if (Grp == GW'(CF - 1)) begin
					Grp <= '0;
					Tap <= lst ? '0 : Tap + 1'b1;
				end
				else  Grp <= Grp + 1'b1;
			end
			if (take && lst)  OVld <= 1;
			else if (ordy)    OVld <= 0;
		end
	end

	//-------------------------------------------------------------------------
	// Datapath
	// rotating group accumulators, a shift register of CF groups, group 0 (the current
	// one) in the low bits; packed, so the shift is one assignment (no array writes in a
	// loop, which Verilator 5.006 rejects for some CF)
	localparam int LW = SIMD*AW;  // one group of lanes (lanes_t)
	logic [CF*LW-1:0]  Acc;
	lanes_t  nxt;
	logic [SIMD*T-1:0]  res;
	logic [SIMD*T-1:0]  ODat;

	for (genvar j = 0; j < SIMD; j++) begin : genLane
		wire [T-1:0]  x   = idat[j*T +: T];
		wire acc_t    acc = Acc[j*AW +: AW];

		if (MODE == 1) begin : genAvg
			assign	nxt[j*AW +: AW] = (fst ? AW'(INIT) : acc) + AW'(x);

			// (nxt * M) >> SH as a signed-digit sum of shifted copies of nxt,
			// modulo 2^PW (exact: nxt * M < 2^PW)
			wire acc_t      num = nxt[j*AW +: AW];
			logic [PW-1:0]  prod;
			always_comb begin : blkMul
				prod = '0;
				for (int b = 0; b <= MW; b++) begin
					if (MP[b])  prod = prod + (PW'(num) << b);
					if (MN[b])  prod = prod - (PW'(num) << b);
				end
			end : blkMul
			assign	res[j*T +: T] = prod[SH +: T];

			// bits of the product above the quotient are zero by the proof
			wire  unused = &{1'b0, prod};
		end : genAvg
		else begin : genMax
			// max(0, x) = x at the first tap
			assign	nxt[j*AW +: AW] = (fst || (AW'(x) > acc)) ? AW'(x) : acc;
			assign	res[j*T +: T] = nxt[j*AW +: T];
		end : genMax
	end : genLane

	if (CF == 1) begin : genOneGroup
		always_ff @(posedge clk) begin
			if (take)  Acc <= nxt;
		end
	end : genOneGroup
	else begin : genGroups
		always_ff @(posedge clk) begin
			if (take)  Acc <= {nxt, Acc[CF*LW-1:LW]};
		end
	end : genGroups
	always_ff @(posedge clk) begin
		if (take && lst)  ODat <= res;
	end

	assign	ovld = OVld;
	assign	odat = ODat;

endmodule : pool_unit
