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
 *   stage 1: the leaves, registered.  ADDER = 2 (compressor): for each plane pair,
 *       spike-gated 3:2 counters (one LUT6 per output bit on 3 lanes), then 6:3
 *       counters over each column: M = 2*ceil(ceil(SIMD/3)/6) leaves of 3 bits, each
 *       weighted 2^(wb+b+column).  ADDER = 1: one leaf per plane pair, a plain
 *       popcount (an adder chain: the slow reference).
 *   stages 2 .. 1+NS: one binary adder tree over all NT = W*TP*M leaves of a lane;
 *       its first level pairs every negative (MSB-plane) leaf with a positive one in a
 *       subtraction, so no term is negated; a register after every LEVELS levels of
 *       adders and after the last (NS = ceil(clog2(NT) / LEVELS) stages).
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
	localparam int M = (ADDER == 2)? 2*(((SIMD + 2)/3 + 5)/6) : 1,  // leaves per plane pair
	localparam int NT = W*TP*M,                              // tree leaves per lane
	localparam int NL = $clog2(NT)                           // tree levels
)(
	input	logic  clk,
	input	logic  en,
	input	logic [PE*SIMD*W-1:0]  wgt,
	input	logic [SIMD*TP-1:0]  x,
	output	logic [PE*PS_W-1:0]  part
);

	localparam int PW = $clog2(SIMD + 1);   // popcount width
	localparam int G0 = (SIMD + 2)/3;       // gated 3:2 counters per plane pair
	localparam int LW = (ADDER == 2)? 3 : PW;   // leaf width

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

	// Leaf order of a lane's tree: item i = (b, k) = (i / M, i % M) of a weight plane is
	// the plane pair's leaf k (column k % 2, 6:3 counter k / 2 of the compressor).  Leaf
	// 2i is item i of the positive plane wb = 0, leaf 2i+1 that of the negative plane
	// wb = W-1, for i < TP*M; then the planes wb = 1 .. W-2, item by item.
	// the leaf of plane wb's item i (the inverse of leaf_wb, leaf_item)
	function automatic int leaf_of(input int wb, input int i);
		if (wb == 0)  leaf_of = 2*i;
		else if (wb == W-1)  leaf_of = 2*i + 1;
		else  leaf_of = 2*TP*M + (wb - 1)*TP*M + i;
	endfunction
	// every leaf's weight, log2 (wb + b, + the column of a compressor leaf), 8 bits each
	function automatic logic [NT*8-1:0] leaf_shifts();   // (self-contained for Icarus)
		int  wb, i;
		for (int n = 0; n < NT; n++) begin
			wb = (n < 2*TP*M)? ((n % 2 == 0)? 0 : W-1) : 1 + (n - 2*TP*M)/(TP*M);
			i = (n < 2*TP*M)? n/2 : (n - 2*TP*M) % (TP*M);
			leaf_shifts[n*8 +: 8] = 8'(wb + i/M + ((ADDER == 2)? i % 2 : 0));
		end
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

	// Yosys elaborates big unrolled procedures and many small generate blocks slowly, and
	// Icarus re-runs an always_comb whose locals it writes: so each plane pair and each
	// tree level is one generate block whose logic is a function (automatic locals) in a
	// continuous assignment.

	//-----------------------------------------------------------------------
	// Stage 1: the leaves, Lf[((p*NT) + n)*LW +: LW] for leaf n of lane p
	logic [PE*NT*LW-1:0]  lf_nx;
	logic [PE*NT*LW-1:0]  Lf;

	for (genvar wb = 0; wb < ((W >= 2)? W : 0); wb++) begin : genWb   // (none if W is refused)
		for (genvar b = 0; b < TP; b++) begin : genB
			localparam int L0 = leaf_of(wb, b*M);   // the pair's first leaf; its M leaves
			localparam int LS = (M > 1)? leaf_of(wb, b*M + 1) - L0 : 1;   // ... LS apart

			// lane p's M leaves of plane pair (wb, b)
			function automatic logic [M*LW-1:0] leaves(input logic [PE*SIMD*W-1:0] wv,
			                                           input logic [SIMD*TP-1:0] xv, input int p);
				logic [3*G0-1:0]  g;      // the spike-gated bits, padded
				logic [2*G0-1:0]  l0;     // (sum, carry) of each 3:2 counter
				logic [5:0]  grp;
				logic [LW-1:0]  pc;
				for (int j = 0; j < 3*G0; j++)  g[j] = (j < SIMD)? wv[(p*SIMD + j)*W + wb] & xv[j*TP + b] : 1'b0;
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
				logic [M*LW-1:0]  lv;
				assign	lv = leaves(wgt, x, p);
				for (genvar k = 0; k < M; k++) begin : genLeaf
					assign	lf_nx[(p*NT + L0 + k*LS)*LW +: LW] = lv[k*LW +: LW];
				end : genLeaf
			end : genLane
		end : genB
	end : genWb

	always_ff @(posedge clk) begin
		if (en)  Lf <= lf_nx;
	end

	//-----------------------------------------------------------------------
	// Stages 2 .. 1+NS: the adder tree.  Level l (genLevel[l].v: PE lanes of nodes(l)
	// nodes, lane p from node p*nodes(l)) from level l-1; level 0 the shifted leaves; a
	// register where is_reg(l).
	function automatic bit is_reg(input int l);
		is_reg = (l % LEVELS == 0) || (l == NL);
	endfunction
	function automatic logic [PE*NT*PS_W-1:0] shift_leaves(input logic [PE*NT*LW-1:0] lf);
		localparam logic [NT*8-1:0] SH = leaf_shifts();
		for (int p = 0; p < PE; p++)
			for (int n = 0; n < NT; n++)
				shift_leaves[(p*NT + n)*PS_W +: PS_W] = PS_W'(lf[(p*NT + n)*LW +: LW]) << SH[n*8 +: 8];
	endfunction

	for (genvar l = 0; l <= NL; l++) begin : genLevel
		localparam int N1 = nodes(l);
		logic [PE*N1*PS_W-1:0]  v;
		if (l == 0) begin : genLeaves
			assign	v = shift_leaves(Lf);
		end : genLeaves
		else begin : genAdds
			localparam int N0 = nodes(l-1);
			// pairs of level l-1 added (subtracted: the first level's negative leaves)
			function automatic logic [PE*N1*PS_W-1:0] add_pairs(input logic [PE*N0*PS_W-1:0] u);
				logic signed [PS_W-1:0]  a, c;
				for (int p = 0; p < PE; p++) begin
					for (int n = 0; n < N1; n++) begin
						a = $signed(u[(p*N0 + 2*n)*PS_W +: PS_W]);
						c = (2*n + 1 < N0)? $signed(u[(p*N0 + 2*n + 1)*PS_W +: PS_W]) : '0;
						add_pairs[(p*N1 + n)*PS_W +: PS_W] = (l == 1 && n < TP*M)? a - c : a + c;
					end
				end
			endfunction
			logic [PE*N1*PS_W-1:0]  sum;
			assign	sum = add_pairs(genLevel[l-1].v);
			if (is_reg(l)) begin : genReg
				always_ff @(posedge clk) begin
					if (en)  v <= sum;
				end
			end : genReg
			else begin : genWire
				assign	v = sum;
			end : genWire
		end : genAdds
	end : genLevel

	assign	part = genLevel[NL].v;   // nodes(NL) = 1: one node per lane

endmodule : spike_dot
