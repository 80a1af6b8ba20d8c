/******************************************************************************
 * @brief   Pooling reducer (max or average) behind the sliding-window unit.
 * @author  e3ne
 *
 * @description
 *  Input (the SWU window stream): for each output pixel, in raster order,
 *  the KK = K*KW window elements in (ky, kx, c) order, c fastest, as
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
 *  Division by the constant KK without a divider: div_const.sv (its header
 *  has the method and the proof), one instance per lane, exact for every
 *  N in [0, NMAX]; adders only, no DSP. Test: tests/hw/test_pool_unit.py
 *  feeds the RTL windows whose sums cover every value in [0, KK*(2^T-1)].
 *
 *  Datapath per lane: the accumulator of group g is Acc[0] (the low group of
 *  the packed register) when beat (t, g) arrives (the CF group accumulators rotate through the shift
 *  register Acc[0..CF-1], one step per input beat, so no addressing):
 *      base = (t == 0) ? INIT : Acc[0]     (INIT = floor(KK/2) for avg, 0 for max)
 *      nxt  = avg ? base + x : max(base, x)
 *  nxt is pushed into Acc[CF-1]; at the last tap t = KK-1 the result
 *  (avg: floor(nxt / KK), max: nxt) is loaded into the output register instead.
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
	parameter int K    = 2,  // kernel rows: KK = K*KW taps per window
	parameter int KW   = K,  // kernel columns (default: square)
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
	localparam int KK    = K * KW;                          // taps per window
	localparam int CF    = SIMD > 0 ? C / SIMD : 1;         // beats per tap
	localparam int NMAX  = KK * (2**T - 1) + KK / 2;        // largest avg numerator
	localparam int AW    = MODE == 1 ? $clog2(NMAX + 1) : T;   // accumulator bits
	localparam int INIT  = MODE == 1 ? KK / 2 : 0;          // accumulator start
	localparam int TW    = KK > 1 ? $clog2(KK) : 1;         // tap counter bits
	localparam int GW    = CF > 1 ? $clog2(CF) : 1;         // group counter bits

	initial begin
		if (T < 1 || T > 16) begin
			$error("%m: T (%0d) must be in 1..16", T);
			$finish;
		end
		if (C < 1 || K < 1 || KW < 1 || SIMD < 1) begin
			$error("%m: C (%0d), K (%0d), KW (%0d) and SIMD (%0d) must be at least 1", C, K, KW, SIMD);
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

			wire acc_t      num = nxt[j*AW +: AW];
			div_const #(.NMAX(NMAX), .D(KK), .QW(T)) u_div (.n(num), .q(res[j*T +: T]));
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
