/**
 * @brief   Synaptic engine: PE x SIMD x TP spike-gated matrix-vector unit with neuron.
 * @author  e3ne
 * @description
 *  Input: windows of MW = K*K*C T-bit activations q_i (the swu.sv stream, or a linear
 *  layer's input vector: K = 1, H = WD = 1), SIMD elements per beat, element j of a beat
 *  at idat[j*T +: T]; window element i = sf*SIMD + j arrives in beat sf, SF = MW/SIMD
 *  beats per window.  For each window the engine computes, for every output channel c,
 *      V_c = sum_i w[c][i] * q_i                         (exact, ACC_W bits signed)
 *  by Horner's rule over spike planes, TP planes at a time, MSB first (NP = T/TP):
 *      V <- 2^TP * V + sum_i w[c][i] * x_i,   x_i = q_i[T-1-g*TP -: TP] for group g,
 *  with no multiplier: the TP spike bits of x_i gate the weight bits.  Then the neuron
 *  (neuron.sv): U = V*2^F + beta_c, q = clamp(floor(U/theta_c), 0, 2^T-1), or U for the
 *  output layer (OUTPUT = 1).
 *  Output: per window, C_OUT channels in NF = C_OUT/PE beats of PE lanes, channel
 *  nf*PE + p at odat[p*ODW +: ODW] (T bits unsigned, or OUT_W bits two's complement).
 *
 *  Schedule per window: for nf in 0..NF-1, for g in 0..NP-1, for sf in 0..SF-1: one cycle,
 *  PE*SIMD*TP gated weight additions.  Cycles per window: NF*NP*SF; the input buffer
 *  holds two windows, so the next window loads while this one is computed (a window
 *  takes SF cycles to load, so the engine runs at max(SF, NF*NP*SF) cycles per window).
 *  Pipeline: window-buffer read, chunk select + weight-ROM read, adders, Horner
 *  accumulator, then the neuron (T+1 stages, or 1 for OUTPUT = 1): a channel fold's beat
 *  leaves 4 + T+1 cycles after its last step.  Back-pressure stalls the whole pipeline
 *  (ordy reaches the stage enables combinationally); irdy depends on the buffer only.
 *
 *  Adders (ADDER): the PE lanes each sum SIMD terms w_i * x_i.
 *   0: chain of spike-gated adds, sum += x_i[b] ? w_i << b : 0;
 *   1: weight bit-planes: sum_{wb, b} (+-)2^(wb+b) * popcount_i(w_i[wb] & x_i[b]), MSB
 *      plane (wb = W-1) negative; popcount as a sum of bits;
 *   2: as 1, each popcount a compressor tree: spike-gated 3:2 counters (3 lanes, one LUT6
 *      per output bit), then 6:3 counters per column, then adds.  Smallest; the default.
 *  Yosys synth_xilinx -flatten -family xcup, whole engine, 64 lanes, W=3, TP=1, T=4:
 *  PE=1 x SIMD=64: 2917 / 1163 / 776 LUT (ADDER 0 / 1 / 2); PE=4 x SIMD=16: 2385 / 1065 /
 *  794 LUT; no DSP in any.  Any W-bit two's complement weight works (-2^(W-1) too).
 *
 *  Memory files ($readmemh, one word per line, hex, lanes packed little-end first):
 *   WEIGHT_FILE: NF*SF words of PE*SIMD*W bits; word nf*SF + sf holds at bits
 *       [(p*SIMD + j)*W +: W] the weight w[nf*PE + p][sf*SIMD + j], two's complement.
 *       (Window index i = (ky*K + kx)*C + c for a conv layer, as swu.sv emits them.)
 *   BIAS_FILE:   NF words of PE*B_W bits; word nf, bits [p*B_W +: B_W]: beta of channel
 *       nf*PE + p, two's complement.
 *   THRESH_FILE: NF words of PE*TH_W bits; word nf, bits [p*TH_W +: TH_W]: theta of
 *       channel nf*PE + p, unsigned, >= 1 (not read when OUTPUT = 1).
 *  WGT_RAM places the weight ROM in LUT logic (0; constant bits fold away) or block RAM
 *  (1), as the DSE decides; WIN_RAM the window buffer and PAR_RAM the bias/threshold ROMs
 *  likewise (the generator's rule: block RAM once deep and large).  All four memories are
 *  mem_ram.sv instances (STYLE = WGT_RAM, WIN_RAM, PAR_RAM; registered reads).
 *  ACC_W must hold every V: |V_c| <= sum_i |w[c][i]| * (2^T - 1) (and every partial sum,
 *  which that bound also covers); the generator derives it from the weights.
 */
module synaptic_engine #(
	parameter int MW = 9,        // window length K*K*C (or linear-layer inputs)
	parameter int C_OUT = 4,     // output channels
	parameter int PE = 2,        // output channels per fold and per output beat
	parameter int SIMD = 3,      // window elements per input beat
	parameter int T = 4,         // activation bits (time steps)
	parameter int TP = 1,        // spike planes per cycle, divides T
	parameter int W = 3,         // weight bits, signed
	parameter int ACC_W = 16,    // signed width of V
	parameter int F = 0,         // layer shift, U = V*2^F + beta
	parameter int B_W = 8,       // bias width, signed
	parameter int TH_W = 8,      // threshold width, unsigned
	parameter int OUTPUT = 0,    // 1: output layer, emit U
	parameter int OUT_W = ((ACC_W + F > B_W)? ACC_W + F : B_W) + 1,  // U lane width (OUTPUT = 1)
	parameter int ADDER = 2,     // 0: gated-add chain, 1: bit-plane popcount, 2: bit-plane compressor
	parameter int WGT_RAM = 0,   // weight ROM: 0 LUT logic, 1 block RAM (chosen by the DSE)
	parameter int WIN_RAM = 0,   // window buffer: 0 distributed (LUT) RAM, 1 block RAM
	parameter int PAR_RAM = 0,   // bias/threshold ROMs: 0 LUT logic, 1 block RAM
	parameter WEIGHT_FILE = "",  // weight ROM image (see layout above)
	parameter BIAS_FILE = "",    // bias ROM image
	parameter THRESH_FILE = "",  // threshold ROM image (hidden layers)
	localparam int ODW = (OUTPUT != 0)? OUT_W : T   // output lane width
)(
	// Global Control
	input	logic  clk,
	input	logic  rst,

	// Input Stream (windows)
	output	logic  irdy,
	input	logic  ivld,
	input	logic [SIMD*T-1:0]  idat,

	// Output Stream (activations or membrane potentials)
	input	logic  ordy,
	output	logic  ovld,
	output	logic [PE*ODW-1:0]  odat
);

	localparam int NF = C_OUT/PE;     // output-channel folds
	localparam int SF = MW/SIMD;      // input folds (beats per window)
	localparam int NP = T/TP;         // plane groups
	localparam int PS_W = W + TP + $clog2(SIMD + 1) + 1;  // signed partial-sum width
	localparam int NFW = $clog2(NF + 1);
	localparam int SFW = $clog2(SF + 1);
	localparam int NPW = $clog2(NP + 1);
	localparam int WA_W = ($clog2(NF*SF) > 0)? $clog2(NF*SF) : 1;  // weight-ROM address
	localparam int BA_W = ($clog2(NF) > 0)? $clog2(NF) : 1;     // bias-ROM address
	localparam int XA_W = ($clog2(2*SF) > 0)? $clog2(2*SF) : 1; // window-buffer address

	initial begin
		if (PE < 1 || SIMD < 1 || MW < 1 || C_OUT < 1 || T < 1 || TP < 1 || W < 2) begin
			$error("%m: PE (%0d), SIMD (%0d), MW (%0d), C_OUT (%0d), T (%0d), TP (%0d) must be >= 1 and W (%0d) >= 2",
				PE, SIMD, MW, C_OUT, T, TP, W);
			$finish;
		end
		if (C_OUT % PE != 0) begin
			$error("%m: C_OUT (%0d) is not a multiple of PE (%0d)", C_OUT, PE);
			$finish;
		end
		if (MW % SIMD != 0) begin
			$error("%m: window length MW (%0d) is not a multiple of SIMD (%0d)", MW, SIMD);
			$finish;
		end
		if (T % TP != 0) begin
			$error("%m: T (%0d) is not a multiple of TP (%0d)", T, TP);
			$finish;
		end
		if (WGT_RAM < 0 || WGT_RAM > 1 || WIN_RAM < 0 || WIN_RAM > 1 || PAR_RAM < 0 || PAR_RAM > 1) begin
			$error("%m: WGT_RAM (%0d), WIN_RAM (%0d), PAR_RAM (%0d) must be 0 (LUTs) or 1 (block RAM)",
				WGT_RAM, WIN_RAM, PAR_RAM);
			$finish;
		end
		if (ADDER < 0 || ADDER > 2) begin
			$error("%m: ADDER (%0d) must be 0 (chain), 1 (popcount) or 2 (compressor)", ADDER);
			$finish;
		end
`ifndef SYNTHESIS
		// (simulation only: Yosys elaborates every module with its defaults when it reads it)
		if (WEIGHT_FILE == "" || BIAS_FILE == "" || (OUTPUT == 0 && THRESH_FILE == "")) begin
			$error("%m: WEIGHT_FILE, BIAS_FILE and (for a hidden layer) THRESH_FILE must name $readmemh images");
			$finish;
		end
`endif
	end

	//-----------------------------------------------------------------------
	// Memories: mem_ram.sv instances, each placed where it is read (window buffer: stage 1;
	// weight, bias and threshold ROMs: stage 2) in the style the generator fixes (WIN_RAM,
	// WGT_RAM, PAR_RAM as mem_ram's STYLE), so that what synthesis builds is what the DSE
	// counted.

	//-----------------------------------------------------------------------
	// Window double buffer: the writer fills buffer WSel while the reader computes on RSel
	logic [1:0]  Full;
	logic  WSel;
	logic [SFW-1:0]  WCnt;
	logic  RSel;
	logic [NFW-1:0]  Nf;
	logic [NPW-1:0]  Pg;
	logic [SFW-1:0]  Sf;
	logic [WA_W-1:0]  WAddr;   // Nf*SF + Sf
	logic [WA_W-1:0]  WBase;   // Nf*SF

	logic  en;       // compute pipeline enable
	logic  issue;    // a compute step starts in this cycle
	logic  wtake;    // an input beat is written
	logic  wlast;    // ... and it completes a window
	logic  rlast;    // the issued step is the last one of its window
	logic  sf_last, pg_last, nf_last;

	assign	irdy = !Full[WSel];
	assign	wtake = ivld && irdy;
	assign	wlast = wtake && (32'(WCnt) == SF-1);
	assign	issue = en && Full[RSel];
	assign	sf_last = 32'(Sf) == SF-1;
	assign	pg_last = 32'(Pg) == NP-1;
	assign	nf_last = 32'(Nf) == NF-1;
	assign	rlast = issue && sf_last && pg_last && nf_last;

	logic [XA_W-1:0]  win_wa;   // window buffer: two windows, [0, SF) and [SF, 2SF)
	logic [XA_W-1:0]  win_ra;
	assign	win_wa = XA_W'(WSel? SF + 32'(WCnt) : 32'(WCnt));
	assign	win_ra = XA_W'(RSel? SF + 32'(Sf) : 32'(Sf));

	always_ff @(posedge clk) begin
		if (rst) begin
			Full <= '0;
			WSel <= 0;
			WCnt <= 0;
			RSel <= 0;
			Nf <= 0;
			Pg <= 0;
			Sf <= 0;
			WAddr <= 0;
			WBase <= 0;
		end
		else begin
			// writer
			if (wtake)  WCnt <= wlast? '0 : WCnt + 1;
			if (wlast) begin
				Full[WSel] <= 1;
				WSel <= !WSel;
			end
			// reader: for nf, for plane group, for sf
			if (issue) begin
				if (!sf_last) begin
					Sf <= Sf + 1;
					WAddr <= WAddr + 1;
				end
				else begin
					Sf <= 0;
					if (!pg_last) begin
						Pg <= Pg + 1;
						WAddr <= WBase;
					end
					else begin
						Pg <= 0;
						if (!nf_last) begin
							Nf <= Nf + 1;
							WAddr <= WAddr + 1;
							WBase <= WAddr + 1;
						end
						else begin
							Nf <= 0;
							WAddr <= 0;
							WBase <= 0;
						end
					end
				end
			end
			if (rlast) begin
				Full[RSel] <= 0;
				RSel <= !RSel;
			end
		end
	end

	//-----------------------------------------------------------------------
	// Stage 1: window-buffer read.  Stage 2: spike chunk select, weight/bias reads.  The
	// chunk is registered so that the adders of stage 3 see plain register bits (a gated
	// 3:2 counter then fits one LUT6 per output); the ROMs are read a cycle later to match.
	logic  V1;
	logic  First1;     // first step of a channel fold: V starts from 0
	logic  Shift1;     // first step of a plane group: V <- 2^TP * V first
	logic  Last1;      // last step of a channel fold: V is complete
	logic [NPW-1:0]  Pg1;
	logic [WA_W-1:0]  WAddr1;
	logic [BA_W-1:0]  Nf1;
	logic [SIMD*T-1:0]  Win1;

	always_ff @(posedge clk) begin
		if (rst)  V1 <= 0;
		else if (en)  V1 <= issue;
	end
	always_ff @(posedge clk) begin
		if (en) begin
			First1 <= (Pg == 0) && (Sf == 0);
			Shift1 <= (Sf == 0);
			Last1 <= sf_last && pg_last;
			Pg1 <= Pg;
			WAddr1 <= WAddr;
			Nf1 <= BA_W'(Nf);
		end
	end

	// Window buffer: simple dual-port RAM, read with the enable of stage 1
	mem_ram #(
		.DEPTH(2*SF), .WIDTH(SIMD*T), .STYLE(WIN_RAM), .WRITE(1), .RD_REG(1)
	) inst_win (
		.clk,
		.we(wtake), .waddr(win_wa), .wdat(idat),
		.re(en), .raddr(win_ra), .rdat(Win1)
	);

	// TP-bit spike chunk of every element for plane group Pg1 (MSB group first)
	logic [SIMD*TP-1:0]  x_nx;
	always_comb begin : blkChunk
		x_nx = '0;
		for (int g = 0; g < NP; g++) begin
			if (32'(Pg1) == g) begin
				for (int j = 0; j < SIMD; j++)  x_nx[j*TP +: TP] = Win1[j*T + (NP-1-g)*TP +: TP];
			end
		end
	end : blkChunk

	logic  V2;
	logic  First2;
	logic  Shift2;
	logic  Last2;
	logic [SIMD*TP-1:0]  X2;
	logic [PE*SIMD*W-1:0]  Wgt2;
	logic [PE*B_W-1:0]  Bias2;
	logic [PE*TH_W-1:0]  Thr2;

	always_ff @(posedge clk) begin
		if (rst)  V2 <= 0;
		else if (en)  V2 <= V1;
	end
	always_ff @(posedge clk) begin
		if (en) begin
			First2 <= First1;
			Shift2 <= Shift1;
			Last2 <= Last1;
			X2 <= x_nx;
		end
	end

	// Weight ROM, one word per step, read with the enable of stage 2.  Its style is a
	// placement decision (the DSE weighs LUTs against block RAMs), so it is fixed here,
	// not left to the synthesis tool's heuristics.
	mem_ram #(
		.DEPTH(NF*SF), .WIDTH(PE*SIMD*W), .STYLE(WGT_RAM), .WRITE(0), .RD_REG(1),
		.INIT_FILE(WEIGHT_FILE)
	) inst_wgt (
		.clk,
		.we(1'b0), .waddr({WA_W{1'b0}}), .wdat({(PE*SIMD*W){1'b0}}),
		.re(en), .raddr(WAddr1), .rdat(Wgt2)
	);

	// Bias and threshold ROMs, one word per channel fold
	mem_ram #(
		.DEPTH(NF), .WIDTH(PE*B_W), .STYLE(PAR_RAM), .WRITE(0), .RD_REG(1),
		.INIT_FILE(BIAS_FILE)
	) inst_bias (
		.clk,
		.we(1'b0), .waddr({BA_W{1'b0}}), .wdat({(PE*B_W){1'b0}}),
		.re(en), .raddr(Nf1), .rdat(Bias2)
	);

	if (OUTPUT == 0) begin : genThresholds
		mem_ram #(
			.DEPTH(NF), .WIDTH(PE*TH_W), .STYLE(PAR_RAM), .WRITE(0), .RD_REG(1),
			.INIT_FILE(THRESH_FILE)
		) inst_thr (
			.clk,
			.we(1'b0), .waddr({BA_W{1'b0}}), .wdat({(PE*TH_W){1'b0}}),
			.re(en), .raddr(Nf1), .rdat(Thr2)
		);
	end : genThresholds
	else begin : genNoThresholds
		assign	Thr2 = '0;
	end : genNoThresholds

	//-----------------------------------------------------------------------
	// Stage 3: PE dot products, sum_j w[p][j] * x_j
	logic [PE*PS_W-1:0]  part;

	if (ADDER == 0) begin : genChain
		always_comb begin : blkChain
			logic signed [PS_W-1:0]  s;
			for (int p = 0; p < PE; p++) begin
				s = '0;
				for (int j = 0; j < SIMD; j++) begin
					for (int b = 0; b < TP; b++) begin
						if (X2[j*TP + b])  s = s + (PS_W'($signed(Wgt2[(p*SIMD + j)*W +: W])) <<< b);
					end
				end
				part[p*PS_W +: PS_W] = s;
			end
		end : blkChain
	end : genChain
	else if (ADDER == 1) begin : genPopcount
		localparam int PW = $clog2(SIMD + 1);
		always_comb begin : blkPopcount
			logic signed [PS_W-1:0]  s;
			logic [PW-1:0]  pc;
			for (int p = 0; p < PE; p++) begin
				s = '0;
				for (int wb = 0; wb < W; wb++) begin
					for (int b = 0; b < TP; b++) begin
						pc = '0;
						for (int j = 0; j < SIMD; j++)  pc = pc + PW'({Wgt2[(p*SIMD + j)*W + wb] & X2[j*TP + b]});
						if (wb == W-1)  s = s - (PS_W'(pc) << (wb + b));
						else  s = s + (PS_W'(pc) << (wb + b));
					end
				end
				part[p*PS_W +: PS_W] = s;
			end
		end : blkPopcount
	end : genPopcount
	else begin : genCompressor
		localparam int PW = $clog2(SIMD + 1);
		localparam int G0 = (SIMD + 2)/3;    // gated 3:2 counters per plane
		localparam int G1 = (G0 + 5)/6;      // 6:3 counters per column

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

		always_comb begin : blkCompressor
			logic signed [PS_W-1:0]  s;
			logic [PW-1:0]  pc;
			logic [2:0]  t;
			logic [2*G0-1:0]  l0;     // (sum, carry) of each gated 3:2 counter
			logic [5:0]  grp;
			for (int p = 0; p < PE; p++) begin
				s = '0;
				for (int wb = 0; wb < W; wb++) begin
					for (int b = 0; b < TP; b++) begin
						// level 0: w[wb] & X2[b] of 3 lanes -> 2 bits
						for (int g = 0; g < G0; g++) begin
							t = '0;
							for (int k = 0; k < 3; k++) begin
								if (3*g + k < SIMD)  t[k] = Wgt2[(p*SIMD + 3*g + k)*W + wb] & X2[(3*g + k)*TP + b];
							end
							l0[2*g] = t[0] ^ t[1] ^ t[2];
							l0[2*g + 1] = (t[0] & t[1]) | (t[2] & (t[0] ^ t[1]));
						end
						// level 1: 6:3 counters over each column, then add
						pc = '0;
						for (int c = 0; c < 2; c++) begin
							for (int g = 0; g < G1; g++) begin
								grp = '0;
								for (int k = 0; k < 6; k++) begin
									if (6*g + k < G0)  grp[k] = l0[2*(6*g + k) + c];
								end
								pc = pc + (PW'(cnt6(grp)) << c);
							end
						end
						if (wb == W-1)  s = s - (PS_W'(pc) << (wb + b));
						else  s = s + (PS_W'(pc) << (wb + b));
					end
				end
				part[p*PS_W +: PS_W] = s;
			end
		end : blkCompressor
	end : genCompressor

	logic  V3;
	logic  First3;
	logic  Shift3;
	logic  Last3;
	logic [PE*PS_W-1:0]  Part3;
	logic [PE*B_W-1:0]  Bias3;
	logic [PE*TH_W-1:0]  Thr3;

	always_ff @(posedge clk) begin
		if (rst)  V3 <= 0;
		else if (en)  V3 <= V2;
	end
	always_ff @(posedge clk) begin
		if (en) begin
			First3 <= First2;
			Shift3 <= Shift2;
			Last3 <= Last2;
			Part3 <= part;
			Bias3 <= Bias2;
			Thr3 <= Thr2;
		end
	end

	//-----------------------------------------------------------------------
	// Stage 4: Horner accumulation; a complete V waits in VOut for the neuron
	logic [PE*ACC_W-1:0]  Acc;
	logic [PE*ACC_W-1:0]  acc_nx;
	logic  VVld;
	logic [PE*ACC_W-1:0]  VOut;
	logic [PE*B_W-1:0]  BiasO;
	logic [PE*TH_W-1:0]  ThrO;
	logic  n_irdy;

	assign	en = !VVld || n_irdy;

	always_comb begin : blkHorner
		logic signed [ACC_W-1:0]  base;
		for (int p = 0; p < PE; p++) begin
			base = $signed(Acc[p*ACC_W +: ACC_W]);
			if (First3)  base = '0;
			else if (Shift3)  base = base <<< TP;
			acc_nx[p*ACC_W +: ACC_W] = base + ACC_W'($signed(Part3[p*PS_W +: PS_W]));
		end
	end : blkHorner

	always_ff @(posedge clk) begin
		if (rst)  VVld <= 0;
		else if (en)  VVld <= V3 && Last3;
	end
	always_ff @(posedge clk) begin
		if (en && V3) begin
			Acc <= acc_nx;
			if (Last3) begin
				VOut <= acc_nx;
				BiasO <= Bias3;
				ThrO <= Thr3;
			end
		end
	end

	//-----------------------------------------------------------------------
	// Neuron
	neuron #(
		.PE(PE), .ACC_W(ACC_W), .F(F), .B_W(B_W), .TH_W(TH_W), .T(T),
		.OUTPUT(OUTPUT), .OUT_W(OUT_W)
	) inst_neuron (
		.clk, .rst,
		.irdy(n_irdy), .ivld(VVld), .idat(VOut), .ibias(BiasO), .ithr(ThrO),
		.ordy, .ovld, .odat
	);

endmodule : synaptic_engine
