/**
 * @brief   Spike-gated dot products of PE lanes, pipelined for a clock.
 * @author  e3ne
 * @description
 *  For each lane p, with W-bit two's-complement weights w[p][j] (wgt[(p*SIMD + j)*W +: W])
 *  and TP spike bits x_j (x[j*TP +: TP], bit b weighted 2^b):
 *      part[p] = sum_j w[p][j] * x_j
 *              = sum_{wb < W-1, b} 2^(wb+b) * popcount_j(w[p][j][wb] & x_j[b])
 *              + sum_b 2^(W-1+b) * popcount_j(~(w[p][j][W-1] & x_j[b]))  -  OFS,
 *      OFS = SIMD * 2^(W-1) * (2^TP - 1)
 *  since a bit g of the negative MSB plane counts -g = (1 - g) - 1: every term is a count
 *  of bits, and -OFS (mod 2^PS_W) enters the sum as constant bits.  No multiplier: each
 *  weight bit plane meets each spike plane in a popcount.
 *
 *  Pipeline (registers with the enable en; the caller stalls it as one).  vld marks the
 *  beat at wgt/x as one whose part the caller uses: each register stage loads only a valid
 *  beat (a valid bit travels beside it), so an engine waiting for input leaves its dot
 *  products still (no toggling, and a simulator skips their logic: the trees are most of
 *  a large design's work per clock); part then holds the last valid beat's sum.
 *   stage 1: the leaves, registered straight into their places in level 0 (below).
 *       ADDER = 2 (compressor): for each plane pair, spike-gated 3:2 counters (one LUT6
 *       per output bit on 3 lanes), then 6:3 counters over each column:
 *       M = 2*ceil(ceil(SIMD/3)/6) leaves of 3 bits, each weighted 2^(wb+b+column).
 *       ADDER = 1: one leaf per plane pair, a plain popcount (an adder chain: the slow
 *       reference).
 *   stages 2 .. 1+NS: one compressor tree over the bits of all NT = W*TP*M leaves of a
 *       lane and the constant, sorted into columns by weight (bit k of a leaf weighted
 *       2^s in column s+k; columns from PS_W on dropped: the sum is taken mod 2^PS_W).
 *       Each level takes every full group of 6 bits of a column into a 6:3 counter (its
 *       outputs to columns c, c+1, c+2), a remainder of 4 or 5 into one more, and passes
 *       up to 3 bits on; when no column holds more than 3 bits, their three rows are
 *       added (two adders).  A register after every LEVELS levels, at most NS =
 *       ceil(clog2(NT) / LEVELS) of them (the depth of the binary adder tree this
 *       replaced, so that the engine's timing stays), the last after the adders; a tree
 *       with fewer levels ends in a delay of registers up to NS.
 *  Latency LAT = 1 + NS cycles from wgt/x to part (both registered by the caller).
 *  part lanes are PS_W = W + TP + clog2(SIMD+1) + 1 bits, two's complement: the dot
 *  product fits, so its value mod 2^PS_W is exact.
 */
module spike_dot #(
	parameter int PE = 2,        // lanes
	parameter int SIMD = 3,      // elements per lane
	parameter int TP = 1,        // spike bits per element
	parameter int W = 3,         // weight bits, signed, >= 2
	parameter int ADDER = 2,     // 1: plain popcount, 2: compressor
	parameter int LEVELS = 2,    // tree levels between two registers, >= 1
	localparam int PS_W = W + TP + $clog2(SIMD + 1) + 1,     // part lane width
	localparam int M = (ADDER == 2)? 2*(((SIMD + 2)/3 + 5)/6) : 1,  // leaves per plane pair
	localparam int NT = W*TP*M,                              // tree leaves per lane
	localparam int NL = $clog2(NT)                           // levels of a binary tree
)(
	input	logic  clk,
	input	logic  en,
	input	logic  vld,
	input	logic [PE*SIMD*W-1:0]  wgt,
	input	logic [SIMD*TP-1:0]  x,
	output	logic [PE*PS_W-1:0]  part
);

	localparam int PW = $clog2(SIMD + 1);   // popcount width
	localparam int G0 = (SIMD + 2)/3;       // gated 3:2 counters per plane pair
	localparam int LW = (ADDER == 2)? 3 : PW;   // leaf width
	localparam int NC = PS_W;               // columns of the compressor tree
	localparam int LV = (LEVELS >= 1)? LEVELS : 1;   // (LEVELS < 1 is refused below)
	localparam int NS = (NL + LV - 1)/LV;   // register stages after the leaves
	localparam int HB = 16;                 // bits of a column height in a heights() word
	localparam int MAXLV = 64;              // bound on compressor levels (never reached)

	initial begin
		if (PE < 1 || SIMD < 1 || TP < 1 || W < 2 || LEVELS < 1) begin
			$error("%m: PE (%0d), SIMD (%0d), TP (%0d), LEVELS (%0d) must be >= 1 and W (%0d) >= 2",
				PE, SIMD, TP, LEVELS, W);
			$finish;
		end
		if (ADDER < 1 || ADDER > 2) begin
			$error("%m: ADDER (%0d) must be 1 (popcount) or 2 (compressor)", ADDER);
			$finish;
		end
	end

	// Leaf n = (wb*TP + b)*M + k: plane pair (wb, b)'s leaf k (column k % 2 of 6:3 counter
	// k / 2 of the compressor), weighted 2^(wb + b + k % 2) (ADDER 2) or 2^(wb + b).
	function automatic int leaf_shift(input int n);
		leaf_shift = n/(TP*M) + (n/M) % TP + ((ADDER == 2)? (n % M) % 2 : 0);
	endfunction
	// leaves weighted 2^s of plane pairs before (wb, b) (all pairs: wb = W)
	function automatic int shift_count(input int s, input int wb, input int b);
		int  c, n;   // (loop variables here: Icarus)
		shift_count = 0;
		for (n = 0; n < W*TP; n++)
			if (n < wb*TP + b)
				for (c = 0; c < ((ADDER == 2)? 2 : 1); c++)
					if (n/TP + n % TP + c == s)  shift_count += (ADDER == 2)? M/2 : 1;
	endfunction
	// -OFS mod 2^PS_W: the constant bits of the sum
	function automatic logic [NC-1:0] ofs_bits();
		logic [63:0]  ofs;
		ofs = 64'(SIMD) * (64'(1) << (W-1)) * ((64'(1) << TP) - 64'(1));
		ofs_bits = NC'(-ofs);
	endfunction
	localparam logic [NC-1:0] KB = ofs_bits();

	// Column heights of level 0 (the leaves' bits, then the constant's), HB bits each
	function automatic logic [NC*HB-1:0] heights0();
		int  c, d;   // (loop variables here: Icarus)
		logic [NC*HB-1:0]  h;   // (not the return value's bits: Icarus)
		h = '0;
		for (c = 0; c < NC; c++) begin
			for (d = 0; d < LW; d++)
				if (c >= d)  h[c*HB +: HB] += HB'(shift_count(c - d, W, 0));
			if (KB[c])  h[c*HB +: HB] += HB'(1);
		end
		heights0 = h;
	endfunction
	// counters of a column of height h: every full group of 6, and a remainder of 4 or 5
	function automatic int n_cnt(input int h);
		n_cnt = h/6 + ((h % 6 >= 4)? 1 : 0);
	endfunction
	// bits a column of height h passes on
	function automatic int n_pass(input int h);
		n_pass = (h % 6 >= 4)? 0 : h % 6;
	endfunction
	// the heights after one level of counters over heights h
	function automatic logic [NC*HB-1:0] next_heights(input logic [NC*HB-1:0] h);
		int  c;   // (loop variables here: Icarus)
		int  t;
		logic [NC*HB-1:0]  g;   // (not the return value's bits: Icarus)
		for (c = 0; c < NC; c++) begin
			t = n_cnt(32'(h[c*HB +: HB])) + n_pass(32'(h[c*HB +: HB]));
			if (c >= 1)  t += n_cnt(32'(h[(c-1)*HB +: HB]));
			if (c >= 2)  t += n_cnt(32'(h[(c-2)*HB +: HB]));
			g[c*HB +: HB] = HB'(t);
		end
		next_heights = g;
	endfunction
	function automatic int tallest(input logic [NC*HB-1:0] h);
		int  c;   // (loop variables here: Icarus)
		tallest = 0;
		for (c = 0; c < NC; c++)
			if (32'(h[c*HB +: HB]) > tallest)  tallest = 32'(h[c*HB +: HB]);
	endfunction
	// compressor levels until no column holds more than 3 bits
	function automatic int tree_levels();
		int  l;   // (loop variables here: Icarus)
		logic [NC*HB-1:0]  h;
		int  found;
		h = heights0();
		found = MAXLV;
		for (l = 0; l < MAXLV; l++) begin
			if (found == MAXLV && tallest(h) <= 3)  found = l;
			if (found == MAXLV)  h = next_heights(h);
		end
		tree_levels = found;
	endfunction
	// column heights of level l
	function automatic logic [NC*HB-1:0] heights(input int l);
		int  i;   // (loop variables here: Icarus)
		logic [NC*HB-1:0]  h;
		h = heights0();
		for (i = 0; i < l; i++)  h = next_heights(h);
		heights = h;
	endfunction
	function automatic int sum_heights(input logic [NC*HB-1:0] h, input int below);
		int  c;   // (loop variables here: Icarus)
		sum_heights = 0;
		for (c = 0; c < below; c++)  sum_heights += 32'(h[c*HB +: HB]);
	endfunction
	// per column of heights h: where it starts (the heights below it), its counters, the
	// bits it passes on; HB bits each
	function automatic logic [NC*HB-1:0] starts(input logic [NC*HB-1:0] h);
		int  c;   // (loop variables here: Icarus)
		logic [NC*HB-1:0]  r;   // (not the return value's bits: Icarus)
		r = '0;
		for (c = 1; c < NC; c++)  r[c*HB +: HB] = r[(c-1)*HB +: HB] + h[(c-1)*HB +: HB];
		starts = r;
	endfunction
	function automatic logic [NC*HB-1:0] counters(input logic [NC*HB-1:0] h);
		int  c;   // (loop variables here: Icarus)
		logic [NC*HB-1:0]  r;   // (not the return value's bits: Icarus)
		for (c = 0; c < NC; c++)  r[c*HB +: HB] = HB'(n_cnt(32'(h[c*HB +: HB])));
		counters = r;
	endfunction
	function automatic logic [NC*HB-1:0] passes(input logic [NC*HB-1:0] h);
		int  c;   // (loop variables here: Icarus)
		logic [NC*HB-1:0]  r;   // (not the return value's bits: Icarus)
		for (c = 0; c < NC; c++)  r[c*HB +: HB] = HB'(n_pass(32'(h[c*HB +: HB])));
		passes = r;
	endfunction
	localparam logic [NC*HB-1:0] H0 = heights0();
	localparam int B0 = sum_heights(H0, NC);   // bits of level 0
	localparam logic [NC*HB-1:0] S0 = starts(H0);
	// where bit b of leaf n sits in level 0: its column's bits are ordered by bit index,
	// then by leaf (the leaves of one weight in leaf order), the constant's bit last
	function automatic int pos0(input int n, input int b);
		int  d;   // (loop variables here: Icarus)
		int  c, wb, pb;
		c = leaf_shift(n) + b;
		wb = n/(TP*M);
		pb = (n/M) % TP;
		pos0 = 32'(S0[c*HB +: HB]) + ((ADDER == 2)? (n % M)/2 : 0)
		     + shift_count(leaf_shift(n), wb, pb);
		for (d = 0; d < b; d++)  pos0 += shift_count(c - d, W, 0);
	endfunction

	localparam int NLV = tree_levels();      // compressor levels
	localparam int LT = NLV + 1;             // tree levels, the adders last
	// registers: after every LEVELS levels while fewer than NS, and after the adders
	function automatic bit is_reg(input int l);
		is_reg = (l == LT) || (l % LV == 0 && l/LV < NS);
	endfunction
	function automatic int regs_upto(input int l);
		int  i;   // (loop variables here: Icarus)
		regs_upto = 0;
		for (i = 1; i <= l; i++)  regs_upto += is_reg(i)? 1 : 0;
	endfunction
	localparam int NDLY = NS - regs_upto(LT);   // delay registers after the tree

	// 6:3 counter (popcount of 6 bits), written as logic so that it maps to 3 LUT6
	function automatic logic [2:0] cnt6(input logic [5:0] g);
		logic  a0, a1, b0, b1, c0;
		a0 = g[0] ^ g[1] ^ g[2];
		a1 = (g[0] & g[1]) | (g[2] & (g[0] ^ g[1]));
		b0 = g[3] ^ g[4] ^ g[5];
		b1 = (g[3] & g[4]) | (g[5] & (g[3] ^ g[4]));
		c0 = a0 & b0;
		cnt6 = {(a1 & b1) | (c0 & (a1 ^ b1)), a1 ^ b1 ^ c0, a0 ^ b0};
	endfunction

	// Yosys elaborates big unrolled procedures and many small generate blocks slowly, and
	// Icarus re-runs an always_comb whose locals it writes: so each plane pair and each
	// tree level is one generate block whose logic is a function (automatic locals), called
	// in a continuous assignment or in its register's block.

	// where each bit of the M leaves from leaf L0 on sits in level 0 (PB bits each; bits
	// weighted 2^PS_W or more are dropped: the sum is taken mod 2^PS_W)
	localparam int PB = $clog2(B0 + 1);
	function automatic logic [M*LW*PB-1:0] leaf_places(input int L0);
		int  k, d;   // (loop variables here: Icarus)
		logic [M*LW*PB-1:0]  r;   // (not the return value's bits: Icarus)
		r = '0;
		for (k = 0; k < M; k++)
			for (d = 0; d < LW; d++)
				if (leaf_shift(L0 + k) + d < NC)  r[(k*LW + d)*PB +: PB] = PB'(pos0(L0 + k, d));
		leaf_places = r;
	endfunction
	function automatic logic [M*LW-1:0] leaf_kept(input int L0);
		int  k, d;   // (loop variables here: Icarus)
		logic [M*LW-1:0]  r;   // (not the return value's bits: Icarus)
		for (k = 0; k < M; k++)
			for (d = 0; d < LW; d++)  r[k*LW + d] = (leaf_shift(L0 + k) + d < NC);
		leaf_kept = r;
	endfunction

	// VP[i]: the beat in register stage i is valid (0: the leaves, 1 .. NS: the tree's and
	// the delay's registers in order); stage i+1 loads only when VP[i]
	logic [NS-1:0]  VP;
	always_ff @(posedge clk) begin
		if (en)  VP <= NS'({VP, vld});
	end

	//-----------------------------------------------------------------------
	// Stage 1: the leaves, each bit registered at its place in level 0 (V0: lane p's bits
	// from p*B0; a column's bits ordered by bit index, then by leaf, the constant's bit
	// last, pos0), loaded only with a valid beat.  (Each plane pair's registers are one
	// block writing its own bits of V0: no wide vector is wired bit by bit, which a
	// simulator would copy whole for every bit.)
	logic [PE*B0-1:0]  V0;

	for (genvar wb = 0; wb < ((W >= 2)? W : 0); wb++) begin : genWb   // (none if W is refused)
		for (genvar b = 0; b < TP; b++) begin : genB
			localparam int L0 = (wb*TP + b)*M;   // the pair's first leaf
			localparam logic [M*LW*PB-1:0] PL = leaf_places(L0);
			localparam logic [M*LW-1:0] KEPT = leaf_kept(L0);

			// lane p's M leaves of plane pair (wb, b)
			function automatic logic [M*LW-1:0] leaves(input logic [PE*SIMD*W-1:0] wv,
			                                           input logic [SIMD*TP-1:0] xv, input int p);
				logic [3*G0-1:0]  g;      // the spike-gated bits (the MSB plane's negated), padded
				logic [2*G0-1:0]  l0;     // (sum, carry) of each 3:2 counter
				logic [5:0]  grp;
				logic [LW-1:0]  pc;
				for (int j = 0; j < 3*G0; j++)
					g[j] = (j < SIMD)? (wv[(p*SIMD + j)*W + wb] & xv[j*TP + b]) ^ (wb == W-1) : 1'b0;
				if (ADDER == 1) begin
					pc = '0;
					for (int j = 0; j < SIMD; j++)  pc = pc + LW'(g[j]);
					leaves = (M*LW)'(pc);
				end
				else begin
					for (int c = 0; c < G0; c++) begin
						l0[2*c] = g[3*c] ^ g[3*c + 1] ^ g[3*c + 2];
						l0[2*c + 1] = (g[3*c] & g[3*c + 1]) | (g[3*c + 2] & (g[3*c] ^ g[3*c + 1]));
					end
					for (int k = 0; k < M; k++) begin
						for (int e = 0; e < 6; e++)
							grp[e] = (6*(k/2) + e < G0)? l0[2*(6*(k/2) + e) + k % 2] : 1'b0;
						leaves[k*LW +: LW] = LW'(cnt6(grp));
					end
				end
			endfunction

			for (genvar p = 0; p < PE; p++) begin : genLane
				always_ff @(posedge clk) begin : blkLeaves
					logic [M*LW-1:0]  lv;
					if (en && vld) begin
						lv = leaves(wgt, x, p);
						for (int i = 0; i < M*LW; i++)
							if (KEPT[i])  V0[p*B0 + 32'(PL[i*PB +: PB])] <= lv[i];
					end
				end : blkLeaves
			end : genLane
		end : genB
	end : genWb
	for (genvar c = 0; c < NC; c++) begin : genConst
		if (KB[c]) begin : genOne
			for (genvar p = 0; p < PE; p++) begin : genLane
				always_ff @(posedge clk)  V0[p*B0 + 32'(S0[c*HB +: HB]) + 32'(H0[c*HB +: HB]) - 1] <= 1'b1;
			end : genLane
		end : genOne
	end : genConst

	//-----------------------------------------------------------------------
	// Stages 2 .. 1+NS: the compressor tree.  Level l (genLevel[l].v: PE lanes of as many
	// bits as its heights sum to; column c of lane p after lane p-1 and the columns below
	// c); level 0 the leaves' bits and the constant; a register where is_reg(l), loaded
	// only with a valid beat (its logic inside the register's block, so that a simulator
	// runs it only then).  Column c of level l+1 holds, in order: the low outputs of column
	// c's counters, its passed bits, the middle outputs of column c-1's counters, the high
	// outputs of column c-2's.

	for (genvar l = 0; l <= LT; l++) begin : genLevel
		localparam int BL = sum_heights(heights((l < LT)? l : NLV), NC);
		localparam int BW = (l < LT)? BL : PS_W;   // the last level: the sum
		logic [PE*BW-1:0]  v;
		if (l == 0) begin : genLeaves
			assign	v = V0;
		end : genLeaves
		else if (l < LT) begin : genCounters
			localparam logic [NC*HB-1:0] HI = heights(l-1);
			localparam int BI = sum_heights(HI, NC);
			localparam logic [NC*HB-1:0] HO = heights(l);
			// per column of level l-1: where it starts (SI), its counters (NA), its passed
			// bits (PS); where each column of level l starts (SO); HB bits each
			localparam logic [NC*HB-1:0] SI = starts(HI);
			localparam logic [NC*HB-1:0] SO = starts(HO);
			localparam logic [NC*HB-1:0] NA = counters(HI);
			localparam logic [NC*HB-1:0] PS = passes(HI);
			// one level of counters over level l-1: counter i of column c takes its bits
			// 6i .. 6i+5 (those below its height; a remainder group zero-padded), its
			// outputs go to columns c, c+1, c+2 (see above); then the passed bits
			function automatic logic [PE*BL-1:0] compress(input logic [PE*BI-1:0] u);
				logic [2:0]  s;
				logic [5:0]  grp;
				logic [PE*BL-1:0]  r;   // (not the return value's bits: Icarus)
				r = '0;
				for (int p = 0; p < PE; p++) begin
					for (int c = 0; c < NC; c++) begin
						for (int i = 0; i < 32'(NA[c*HB +: HB]); i++) begin
							for (int e = 0; e < 6; e++)
								grp[e] = (6*i + e < 32'(HI[c*HB +: HB]))?
									u[p*BI + 32'(SI[c*HB +: HB]) + 6*i + e] : 1'b0;
							s = cnt6(grp);
							r[p*BL + 32'(SO[c*HB +: HB]) + i] = s[0];
							if (c + 1 < NC)
								r[p*BL + 32'(SO[(c+1)*HB +: HB]) + 32'(NA[(c+1)*HB +: HB])
								  + 32'(PS[(c+1)*HB +: HB]) + i] = s[1];
							if (c + 2 < NC)
								r[p*BL + 32'(SO[(c+2)*HB +: HB]) + 32'(NA[(c+2)*HB +: HB])
								  + 32'(PS[(c+2)*HB +: HB]) + 32'(NA[(c+1)*HB +: HB]) + i] = s[2];
						end
						for (int j = 0; j < 32'(PS[c*HB +: HB]); j++)
							r[p*BL + 32'(SO[c*HB +: HB]) + 32'(NA[c*HB +: HB]) + j] =
								u[p*BI + 32'(SI[c*HB +: HB]) + 6*(32'(HI[c*HB +: HB])/6) + j];
					end
				end
				compress = r;
			endfunction
			if (is_reg(l)) begin : genReg
				always_ff @(posedge clk) begin
					if (en && VP[regs_upto(l) - 1])  v <= compress(genLevel[l-1].v);
				end
			end : genReg
			else begin : genWire
				assign	v = compress(genLevel[l-1].v);
			end : genWire
		end : genCounters
		else begin : genAdders
			localparam logic [NC*HB-1:0] HI = heights(NLV);
			localparam int BI = sum_heights(HI, NC);
			localparam logic [NC*HB-1:0] SI = starts(HI);
			// the three rows of the last level (up to 3 bits a column), added
			function automatic logic [PE*PS_W-1:0] add_rows(input logic [PE*BI-1:0] u);
				logic [PS_W-1:0]  r0, r1, r2;
				for (int p = 0; p < PE; p++) begin
					r0 = '0;
					r1 = '0;
					r2 = '0;
					for (int c = 0; c < NC; c++) begin
						if (32'(HI[c*HB +: HB]) > 0)  r0[c] = u[p*BI + 32'(SI[c*HB +: HB])];
						if (32'(HI[c*HB +: HB]) > 1)  r1[c] = u[p*BI + 32'(SI[c*HB +: HB]) + 1];
						if (32'(HI[c*HB +: HB]) > 2)  r2[c] = u[p*BI + 32'(SI[c*HB +: HB]) + 2];
					end
					add_rows[p*PS_W +: PS_W] = r0 + r1 + r2;
				end
			endfunction
			always_ff @(posedge clk) begin
				if (en && VP[regs_upto(LT) - 1])  v <= add_rows(genLevel[LT-1].v);
			end
		end : genAdders
	end : genLevel

	// the delay that keeps the latency at 1 + NS when the tree has fewer registers
	for (genvar i = 0; i <= NDLY; i++) begin : genDelay
		logic [PE*PS_W-1:0]  q;
		if (i == 0) begin : genTree
			assign	q = genLevel[LT].v;
		end : genTree
		else begin : genReg
			always_ff @(posedge clk) begin
				if (en && VP[regs_upto(LT) + i - 1])  q <= genDelay[i-1].q;
			end
		end : genReg
	end : genDelay
	assign	part = genDelay[NDLY].q;

endmodule : spike_dot
