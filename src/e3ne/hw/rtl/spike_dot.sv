/**
 * @brief   Spike-gated dot products of PE lanes, pipelined for a clock.
 * @author  e3ne
 * @description
 *  For each lane p, with W-bit two's-complement weights w[p][j] (wgt[(p*SIMD + j)*W +: W])
 *  and TP spike bits x_j (x[j*TP +: TP], bit b weighted 2^b):
 *      part[p] = sum_j w[p][j] * x_j
 *              = sum_{wb, b} (+-)2^(wb+b) * popcount_j(w[p][j][wb] & x_j[b])
 *  the weight's MSB plane (wb = W-1) negative.  No multiplier: each weight bit plane
 *  meets each spike plane in a popcount.
 *
 *  Pipeline (registers with the enable en; the caller stalls it as one):
 *   stage 1: the W*TP popcounts of each lane, registered (PW bits each).  ADDER = 2: a
 *       compressor, spike-gated 3:2 counters (one LUT6 per output bit on 3 lanes), 6:3
 *       counters over each column, then adds; ADDER = 1: a plain sum of bits.
 *   stages 2 .. 1+NS: a binary adder tree over the W*TP popcounts, each shifted by
 *       wb+b; its first level pairs every negative (MSB-plane) popcount with a positive
 *       one in a subtraction, so no term is negated; a register after every LEVELS
 *       levels of adders and after the last (NS = ceil(clog2(W*TP) / LEVELS) stages).
 *  Latency LAT = 1 + NS cycles from wgt/x to part (both registered by the caller).
 *  part lanes are PS_W = W + TP + clog2(SIMD+1) + 1 bits, two's complement: every
 *  partial sum of the tree is a sum of a subset of the terms, so it fits as well.
 */
module spike_dot #(
	parameter int PE = 2,        // lanes
	parameter int SIMD = 3,      // elements per lane
	parameter int TP = 1,        // spike bits per element
	parameter int W = 3,         // weight bits, signed, >= 2
	parameter int ADDER = 2,     // 1: plain popcount, 2: compressor
	parameter int LEVELS = 2,    // adder-tree levels between two registers, >= 1
	localparam int PS_W = W + TP + $clog2(SIMD + 1) + 1,     // part lane width
	localparam int NT = W*TP,                                // tree leaves per lane
	localparam int NL = $clog2(NT),                          // tree levels
	localparam int NS = (NL + LEVELS - 1)/LEVELS             // tree register stages
)(
	input	logic  clk,
	input	logic  en,
	input	logic [PE*SIMD*W-1:0]  wgt,
	input	logic [SIMD*TP-1:0]  x,
	output	logic [PE*PS_W-1:0]  part
);

	localparam int PW = $clog2(SIMD + 1);   // popcount width
	localparam int G0 = (SIMD + 2)/3;       // gated 3:2 counters per plane pair
	localparam int G1 = (G0 + 5)/6;         // 6:3 counters per column

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

	// Leaf order of a lane's tree: leaf 2b is the positive plane pair (wb = 0, b), leaf
	// 2b+1 the negative one (wb = W-1, b), for b < TP; then the planes wb = 1 .. W-2.
	function automatic int leaf_wb(input int n);
		if (n < 2*TP)  leaf_wb = (n % 2 == 0)? 0 : W-1;
		else  leaf_wb = 1 + (n - 2*TP)/TP;
	endfunction
	function automatic int leaf_b(input int n);
		if (n < 2*TP)  leaf_b = n/2;
		else  leaf_b = (n - 2*TP) % TP;
	endfunction
	// nodes at tree level l (level 0: the leaves): ceil(NT / 2^l)
	function automatic int nodes(input int l);
		nodes = (NT + (1 << l) - 1) >> l;
	endfunction

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

	//-----------------------------------------------------------------------
	// Stage 1: popcounts, Pc[((p*NT) + n)*PW +: PW] for leaf n of lane p
	logic [PE*NT*PW-1:0]  pc_nx;
	logic [PE*NT*PW-1:0]  Pc;

	always_comb begin : blkPopcount
		logic [PW-1:0]  pc;
		logic [2:0]  t;
		logic [2*G0-1:0]  l0;     // (sum, carry) of each gated 3:2 counter
		logic [5:0]  grp;
		int  wb, b;
		for (int p = 0; p < PE; p++) begin
			for (int n = 0; n < NT; n++) begin
				wb = leaf_wb(n);
				b = leaf_b(n);
				pc = '0;
				if (ADDER == 1) begin
					for (int j = 0; j < SIMD; j++)  pc = pc + PW'({wgt[(p*SIMD + j)*W + wb] & x[j*TP + b]});
				end
				else begin
					// level 0: w[wb] & x[b] of 3 lanes -> 2 bits
					for (int g = 0; g < G0; g++) begin
						t = '0;
						for (int k = 0; k < 3; k++) begin
							if (3*g + k < SIMD)  t[k] = wgt[(p*SIMD + 3*g + k)*W + wb] & x[(3*g + k)*TP + b];
						end
						l0[2*g] = t[0] ^ t[1] ^ t[2];
						l0[2*g + 1] = (t[0] & t[1]) | (t[2] & (t[0] ^ t[1]));
					end
					// level 1: 6:3 counters over each column, then add
					for (int c = 0; c < 2; c++) begin
						for (int g = 0; g < G1; g++) begin
							grp = '0;
							for (int k = 0; k < 6; k++) begin
								if (6*g + k < G0)  grp[k] = l0[2*(6*g + k) + c];
							end
							pc = pc + (PW'(cnt6(grp)) << c);
						end
					end
				end
				pc_nx[(p*NT + n)*PW +: PW] = pc;
			end
		end
	end : blkPopcount

	always_ff @(posedge clk) begin
		if (en)  Pc <= pc_nx;
	end

	//-----------------------------------------------------------------------
	// Stages 2 .. 1+NS: the adder tree.  Tr stage s (s = 1 .. NS, at slice s-1) holds, per
	// lane, the nodes of level min(s*LEVELS, NL); the leaves are the shifted popcounts.
	logic [PE*NT*PS_W-1:0]  leaf;
	logic [NS*PE*NT*PS_W-1:0]  tr_nx;
	logic [NS*PE*NT*PS_W-1:0]  Tr;

	for (genvar p = 0; p < PE; p++) begin : genLane
		for (genvar n = 0; n < NT; n++) begin : genLeaf
			assign	leaf[(p*NT + n)*PS_W +: PS_W] =
				PS_W'(Pc[(p*NT + n)*PW +: PW]) << (leaf_wb(n) + leaf_b(n));
		end : genLeaf
		assign	part[p*PS_W +: PS_W] = Tr[((NS-1)*PE + p)*NT*PS_W +: PS_W];
	end : genLane

	always_comb begin : blkTree
		logic [NT*PS_W-1:0]  node;
		logic signed [PS_W-1:0]  a, c;
		int  lo, hi;
		tr_nx = '0;
		node = '0;
		a = '0;
		c = '0;
		lo = 0;
		hi = 0;
		for (int s = 1; s <= NS; s++) begin
			lo = (s-1)*LEVELS;
			hi = (s*LEVELS < NL)? s*LEVELS : NL;
			for (int p = 0; p < PE; p++) begin
				node = (s == 1)? leaf[p*NT*PS_W +: NT*PS_W] : Tr[((s-2)*PE + p)*NT*PS_W +: NT*PS_W];
				for (int l = 1; l <= NL; l++) begin
					for (int n = 0; n < NT; n++) begin
						if (l <= lo || l > hi) begin
							// (another stage's level)
						end
						else if (n < nodes(l)) begin
							a = $signed(node[2*n*PS_W +: PS_W]);
							c = (2*n + 1 < nodes(l-1))? $signed(node[(2*n + 1)*PS_W +: PS_W]) : '0;
							node[n*PS_W +: PS_W] = (l == 1 && n < TP)? a - c : a + c;
						end
						else  node[n*PS_W +: PS_W] = '0;
					end
				end
				tr_nx[((s-1)*PE + p)*NT*PS_W +: NT*PS_W] = node;
			end
		end
	end : blkTree

	always_ff @(posedge clk) begin
		if (en)  Tr <= tr_nx;
	end

	// only node 0 of the last stage is read; the zero nodes above a level's count fold away
	if (NT > 1) begin : genUnused
		logic  unused;
		always_comb begin
			unused = 1'b0;
			for (int p = 0; p < PE; p++)
				unused = unused ^ (^Tr[(((NS-1)*PE + p)*NT + 1)*PS_W +: (NT-1)*PS_W]);
		end
	end : genUnused

endmodule : spike_dot
