/**
 * @brief   Synaptic engine: PE x SIMD x TP spike-gated matrix-vector unit with neuron.
 * @author  e3ne
 * @description
 *  Input: windows of MW = K*K*C T-bit activations q_i (the swu.sv stream, or a linear
 *  layer's input vector: K = 1, H = WD = 1), SIMD elements per beat, element j of a beat
 *  at idat[j*T +: T]; window element i = sf*SIMD + j arrives in beat sf, SF = MW/SIMD
 *  beats per window.  For each window the engine computes, for every output channel c,
 *      V_c = sum_i w[c][i] * q_i                         (exact, ACC_W bits signed)
 *  over spike planes, TP planes at a time, MSB first (NP = T/TP plane groups):
 *      V_c = sum_sf sum_g 2^(TP*(NP-1-g)) * sum_{i in beat sf} w[c][i] * x_i,
 *      x_i = q_i[T-1-g*TP -: TP] for group g,
 *  with no multiplier: the TP spike bits of x_i gate the weight bits (spike_dot.sv).
 *  Then the neuron (neuron.sv): U = V*2^F + beta_c, q = clamp(floor(U/theta_c), 0,
 *  2^T-1), or U for the output layer (OUTPUT = 1; OUTPUT = 2: max(U, 0)).
 *  Output: per window, C_OUT channels in NF = C_OUT/PE beats of PE lanes, channel
 *  nf*PE + p at odat[p*ODW +: ODW] (T bits unsigned, or OUT_W bits two's complement).
 *
 *  Schedule, beat by beat: for sf in 0..SF-1 (as soon as beat sf is in the buffer), for
 *  nf in 0..NF-1, for g in 0..NP-1: one step, PE*SIMD*TP gated weight additions.  So a
 *  window's work overlaps its arrival: a layer whose window is the whole input (a linear
 *  layer) starts on its first beat, not its last.  Channel fold nf's partial sums wait
 *  in an accumulator memory (NF words of PE*ACC_W bits; a register when NF = 1) between
 *  beats.  The steps of the last beat emit the output beats, one per fold; OGAP paces
 *  them to the consumer: fold nf + 1 of a last beat starts max(NP, OGAP) cycles after
 *  fold nf, so a consumer that takes a beat every OGAP cycles never stalls the engine.
 *  Cycles per beat: NF*NP, or NF*max(NP, OGAP) for a window's last beat.  The input
 *  buffer holds two windows, so the next window loads while this one is computed.
 *
 *  Pipeline, a register at every stage boundary: issue (the window-buffer read); stage 1
 *  control; stage 2 spike chunk (and the block-RAM weight read); stage 3 spike chunk and
 *  weight word registered (a block-RAM weight word passes a fabric register: its slow output
 *  meets no logic); spike_dot.sv (1 + NS stages: spike-gated 3:2 and 6:3 counters, then
 *  one compressor tree over their bits with a register every LEVELS levels, NS =
 *  ceil(clog2(W*TP*M)/LEVELS), M its leaves per plane pair); the accumulator; the neuron
 *  (T+1 stages, or 1 for OUTPUT != 0); an output FIFO of OFD = 9 + NS + (T | 0) beats.  A
 *  step's output beat leaves 7 + NS + (T | 0) cycles after its issue.  The pipeline never
 *  stalls (no enable reaches its registers): a step that emits an output beat issues only
 *  while fewer than OFD beats are in flight or in the FIFO (a credit counter), so
 *  back-pressure holds the issue, not the pipeline.  irdy depends on the buffer only, and is
 *  a register.
 *
 *  Adders (ADDER, spike_dot.sv): 1: a plain popcount per weight and spike plane pair;
 *  2: a compressor tree of spike-gated 3:2 and 6:3 counters (smaller; the default).
 *  Any W-bit two's complement weight works (-2^(W-1) too).
 *
 *  Memory files ($readmemh, one word per line, hex, lanes packed little-end first):
 *   WEIGHT_FILE: NF*SF words of PE*SIMD*W bits; word nf*SF + sf holds at bits
 *       [(p*SIMD + j)*W +: W] the weight w[nf*PE + p][sf*SIMD + j], two's complement.
 *       (Window index i = (ky*K + kx)*C + c for a conv layer, as swu.sv emits them.)
 *   BIAS_FILE:   NF words of PE*B_W bits; word nf, bits [p*B_W +: B_W]: beta of channel
 *       nf*PE + p, two's complement.
 *   THRESH_FILE: NF words of PE*TH_W bits; word nf, bits [p*TH_W +: TH_W]: theta of
 *       channel nf*PE + p, unsigned, >= 1 (not read when OUTPUT != 0).
 *  WGT_RAM places the weight ROM in LUT logic (0; constant bits fold away), block RAM (1)
 *  or UltraRAM (3: a RAM without initial contents, written through the load port wl_we,
 *  wl_addr, wl_dat before the first window, in WEIGHT_FILE's word layout, by a
 *  weight_load.sv; timed as block RAM), as the DSE decides, or takes no weight memory at
 *  all (2, streamed: see below); WIN_RAM the window buffer, ACC_RAM the accumulator memory
 *  and PAR_RAM the bias/threshold ROMs likewise (the generator's rule: block RAM once
 *  deep and large).  All are mem_ram.sv instances (registered reads; a block-RAM ROM's
 *  word registered once more, RD_REG = 2).
 *  Streamed weights (WGT_RAM = 2, e.g. from external memory, for a layer whose weights do
 *  not fit on chip): the weight words arrive on the load port as a valid/ready stream
 *  (wl_we valid, wl_rdy ready, wl_dat the word; wl_addr ignored) in the order the steps
 *  use them: for every window, for sf, for nf, word nf*SF + sf of WEIGHT_FILE's layout
 *  (a linear layer's whole matrix once per image).  They wait in a WS_D-beat FIFO
 *  (wl_rdy is its registered irdy); a step issues only while its word is at the FIFO's
 *  head, and the word leaves with the last plane group that uses it.  While the stream
 *  keeps the FIFO from running dry the engine keeps the schedule above, cycle for cycle:
 *  a word passes three registers (the head, then two), standing beside its spikes in
 *  stage 3 as a ROM's word does.
 *  wl_rdy is high for WGT_RAM = 3 (the load port takes a word every cycle) and low for
 *  WGT_RAM = 0 and 1 (no load port).
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
	parameter int OUTPUT = 0,    // 1: output layer, emit U; 2: emit max(U, 0)
	parameter int OUT_W = ((ACC_W + F > B_W)? ACC_W + F : B_W) + 1,  // U lane width (OUTPUT != 0)
	parameter int ADDER = 2,     // 1: bit-plane popcount, 2: bit-plane compressor
	parameter int LEVELS = 2,    // tree levels between two pipeline registers
	parameter int OGAP = 1,      // fewest cycles between two output beats (the consumer's)
	parameter int WGT_RAM = 0,   // weights: 0 LUT logic, 1 block RAM, 2 streamed, 3 UltraRAM (loaded)
	parameter int WIN_RAM = 0,   // window buffer: 0 distributed (LUT) RAM, 1 block RAM
	parameter int ACC_RAM = 0,   // accumulator memory: 0 distributed RAM, 1 block RAM
	parameter int PAR_RAM = 0,   // bias/threshold ROMs: 0 LUT logic, 1 block RAM
	parameter WEIGHT_FILE = "",  // weight ROM image (see layout above)
	parameter BIAS_FILE = "",    // bias ROM image
	parameter THRESH_FILE = "",  // threshold ROM image (hidden layers)
	localparam int ODW = (OUTPUT != 0)? OUT_W : T,  // output lane width
	localparam int WA_W = ($clog2(C_OUT/PE*(MW/SIMD)) > 0)? $clog2(C_OUT/PE*(MW/SIMD)) : 1
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
	output	logic [PE*ODW-1:0]  odat,

	// Weight Load Port (WGT_RAM = 3): word wl_addr <= wl_dat when wl_we; weight stream
	// (WGT_RAM = 2): wl_we valid, wl_rdy ready, wl_dat the word; ignored otherwise
	output	logic  wl_rdy,
	input	logic  wl_we,
	input	logic [WA_W-1:0]  wl_addr,
	input	logic [PE*SIMD*W-1:0]  wl_dat
);
	// one Verilator run per engine (e3ne verify passes --hierarchical): a large network's flattened
	// design took Verilator past 21 GB (VGG-11 T6 W6, 172k LUT), one engine at a time far less
	/*verilator hier_block*/

	localparam int NF = C_OUT/PE;     // output-channel folds
	localparam int SF = MW/SIMD;      // input folds (beats per window)
	localparam int NP = T/TP;         // plane groups
	localparam int PS_W = W + TP + $clog2(SIMD + 1) + 1;  // signed part width (spike_dot)
	localparam int M = (ADDER == 2)? 2*(((SIMD + 2)/3 + 5)/6) : 1;  // spike_dot's leaves
	localparam int NS = ($clog2(W*TP*M) + LEVELS - 1)/LEVELS;        // ... per plane pair, stages
	localparam int HOLD = (OGAP > NP)? OGAP - NP : 0;  // idle cycles after an output fold
	localparam int NFW = $clog2(NF + 1);
	localparam int SFW = $clog2(SF + 1);
	localparam int NPW = $clog2(NP + 1);
	localparam int HW = ($clog2(HOLD + 1) > 0)? $clog2(HOLD + 1) : 1;
	localparam int BA_W = ($clog2(NF) > 0)? $clog2(NF) : 1;     // fold address
	localparam int XA_W = ($clog2(2*SF) > 0)? $clog2(2*SF) : 1; // window-buffer address
	localparam int D = 4 + NS;        // stages from issue to the accumulator's inputs
	localparam int OFD = 9 + NS + ((OUTPUT != 0)? 0 : T);  // output FIFO: > beats in flight
	localparam int CRW = $clog2(OFD + 1);
	localparam int WS_D = 4;          // streamed weights (WGT_RAM = 2): FIFO beats

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
		if (WGT_RAM < 0 || WGT_RAM > 3 || WIN_RAM < 0 || WIN_RAM > 1 || ACC_RAM < 0 || ACC_RAM > 1
				|| PAR_RAM < 0 || PAR_RAM > 1) begin
			$error("%m: WGT_RAM (%0d) must be 0 (LUTs), 1 (block RAM), 2 (streamed) or 3 (UltraRAM), WIN_RAM (%0d), ACC_RAM (%0d), PAR_RAM (%0d) 0 or 1",
				WGT_RAM, WIN_RAM, ACC_RAM, PAR_RAM);
			$finish;
		end
		if (ADDER < 1 || ADDER > 2) begin
			$error("%m: ADDER (%0d) must be 1 (popcount) or 2 (compressor)", ADDER);
			$finish;
		end
		if (LEVELS < 1 || OGAP < 1) begin
			$error("%m: LEVELS (%0d) and OGAP (%0d) must be >= 1", LEVELS, OGAP);
			$finish;
		end
`ifndef SYNTHESIS
		// (simulation only: Yosys elaborates every module with its defaults when it reads it)
		if ((WGT_RAM < 2 && WEIGHT_FILE == "") || BIAS_FILE == "" || (OUTPUT == 0 && THRESH_FILE == "")) begin
			$error("%m: WEIGHT_FILE (unless WGT_RAM = 2 or 3), BIAS_FILE and (for a hidden layer) THRESH_FILE must name $readmemh images");
			$finish;
		end
`endif
	end

	//-----------------------------------------------------------------------
	// Window double buffer: the writer fills buffer WSel while the reader computes on RSel;
	// the reader takes beat Sf of a window as soon as it is written.
	logic [1:0]  Full;
	logic  WSel;
	logic [SFW-1:0]  WCnt;
	logic  RSel;
	logic [NFW-1:0]  Nf;
	logic [NPW-1:0]  Pg;
	logic [SFW-1:0]  Sf;
	logic [WA_W-1:0]  WAddr;   // Nf*SF + Sf
	logic [HW-1:0]  Hold;      // idle cycles left before the next output fold

	logic  en;       // pipeline enable: always on (the pipeline never stalls)
	logic  outstep;  // the issued step emits an output beat (a fold's last, on a last beat)
	logic [CRW-1:0]  Cr;   // output beats issued and not yet taken from the FIFO
	logic  avail;    // beat Sf of window RSel is in the buffer
	logic  issue;    // a step starts in this cycle
	logic  wtake;    // an input beat is written
	logic  wlast;    // ... and it completes a window
	logic  rlast;    // the issued step is the last one of its window
	logic  sf_last, pg_last, nf_last;
	logic  wgt_ok;   // the step's weight word is at hand (streamed: at the FIFO's head)

	// irdy is a register (IRdy = !Full[WSel], kept from the next values of both), so the
	// window unit that feeds the engine sees its ready straight from a flip-flop: its
	// pipeline enable is one gate from registers, however far apart the two are placed.
	// Next: the buffer the writer then fills (WSel, or the other one after a window's
	// last beat) is free, or the reader frees it now (rlast, the deepest term, last).
	logic  IRdy;
	logic  wsel_nx;
	assign	wsel_nx = WSel ^ wlast;
	assign	irdy = IRdy;
	assign	wtake = ivld && irdy;
	assign	wlast = wtake && (32'(WCnt) == SF-1);
	assign	avail = Full[RSel] || (RSel == WSel && Sf < WCnt);
	assign	issue = en && avail && wgt_ok && (HOLD == 0 || Hold == 0) && (!(sf_last && pg_last) || Cr < CRW'(OFD));
	assign	outstep = issue && sf_last && pg_last;
	// the reader's "last" flags are registers beside its counters (SfLast = Sf == SF-1,
	// ...), so no compare stands between a counter and the issue's consumers
	logic  SfLast, PgLast, NfLast;
	assign	sf_last = SfLast;
	assign	pg_last = PgLast;
	assign	nf_last = NfLast;
	assign	rlast = issue && sf_last && pg_last && nf_last;

	logic [XA_W-1:0]  win_wa;   // window buffer: two windows, [0, SF) and [SF, 2SF)
	assign	win_wa = WSel? XA_W'(SF) + XA_W'(WCnt) : XA_W'(WCnt);

	always_ff @(posedge clk) begin
		if (rst) begin
			Full <= '0;
			WSel <= 0;
			WCnt <= 0;
			RSel <= 0;
			Nf <= 0;
			Pg <= 0;
			Sf <= 0;
			SfLast <= SF == 1;
			PgLast <= NP == 1;
			NfLast <= NF == 1;
			WAddr <= 0;
			Hold <= 0;
		end
		else begin
			// writer
			if (wtake)  WCnt <= wlast? '0 : WCnt + 1;
			if (wlast) begin
				Full[WSel] <= 1;
				WSel <= !WSel;
			end
			// reader: for sf, for nf, for plane group
			if (issue) begin
				if (!pg_last) begin
					Pg <= Pg + 1;
					PgLast <= 32'(Pg) == NP-2;
				end
				else begin
					Pg <= 0;
					PgLast <= NP == 1;
					if (!nf_last) begin
						Nf <= Nf + 1;
						NfLast <= 32'(Nf) == NF-2;
						WAddr <= WAddr + WA_W'(SF);
					end
					else begin
						Nf <= 0;
						NfLast <= NF == 1;
						Sf <= sf_last? '0 : Sf + 1;
						SfLast <= sf_last? SF == 1 : 32'(Sf) == SF-2;
						WAddr <= sf_last? '0 : WA_W'(Sf) + WA_W'(1);
					end
				end
			end
			if (HOLD > 0 && en) begin
				if (issue && pg_last && sf_last)  Hold <= HW'(HOLD);
				else if (Hold != 0)  Hold <= Hold - 1;
			end
			if (rlast) begin
				Full[RSel] <= 0;
				RSel <= !RSel;
			end
		end
	end
	always_ff @(posedge clk) begin
		if (rst)  IRdy <= 1;
		else  IRdy <= !Full[wsel_nx] || (rlast && RSel == wsel_nx);
	end
`ifndef SYNTHESIS
	// (simulation only, from the first reset on: before it the registers hold anything)
	bit  RstSeen = 0;
	always @(posedge clk) begin
		if (rst)  RstSeen <= 1;
		else if (RstSeen && (IRdy != !Full[WSel] || SfLast != (32'(Sf) == SF-1) ||
		                     PgLast != (32'(Pg) == NP-1) || NfLast != (32'(Nf) == NF-1)))
			$error("%m: a kept flag differs: IRdy %0d (Full %b, WSel %0d), SfLast %0d (Sf %0d), PgLast %0d (Pg %0d), NfLast %0d (Nf %0d)",
				IRdy, Full, WSel, SfLast, Sf, PgLast, Pg, NfLast, Nf);
	end
`endif

	//-----------------------------------------------------------------------
	// Control through the pipeline: Ctl[k] is the step in stage k+1 (k = 0 .. D-1)
	localparam int CTL_W = 5 + NPW + BA_W;
	localparam int C_FG = 0, C_LG = 1, C_FS = 2, C_LS = 3, C_V = 4, C_PG = 5, C_NF = 5 + NPW;
	logic [D*CTL_W-1:0]  Ctl;
	logic [CTL_W-1:0]  ctl0;
	logic [WA_W-1:0]  WAddr1, WAddr2;

	assign	ctl0 = {BA_W'(Nf), Pg, issue, sf_last, (Sf == 0), pg_last, (Pg == 0)};

	always_ff @(posedge clk) begin
		if (rst)  for (int k = 0; k < D; k++)  Ctl[k*CTL_W + C_V] <= 0;
		else if (en)  Ctl <= {Ctl[0 +: (D-1)*CTL_W], ctl0};
	end
	always_ff @(posedge clk) begin
		if (en) begin
			WAddr1 <= WAddr;
			WAddr2 <= WAddr1;
		end
	end

	// Stage 1: the window buffer, a simple dual-port RAM, read on the issue edge itself:
	// the edge that frees a window's buffer (rlast) is the one that reads its last beat,
	// so the writer cannot overwrite a beat still to be read, stalled or not.
	logic [SIMD*T-1:0]  Win1;
	mem_ram #(
		.DEPTH(2*SF), .WIDTH(SIMD*T), .STYLE(WIN_RAM), .WRITE(1), .RD_REG(1)
	) inst_win (
		.clk,
		.we(wtake), .waddr(win_wa), .wdat(idat),
		.re(en), .raddr(RSel? XA_W'(SF) + XA_W'(Sf) : XA_W'(Sf)), .rdat(Win1)
	);

	// Stage 2: the TP-bit spike chunk of every element for the step's plane group;
	// stage 3 holds it beside the weight word
	logic [NPW-1:0]  pg1;
	logic [SIMD*TP-1:0]  x_nx;
	logic [SIMD*TP-1:0]  X2, X3;
	assign	pg1 = Ctl[C_PG +: NPW];
	always_comb begin : blkChunk
		x_nx = '0;
		for (int g = 0; g < NP; g++) begin
			if (32'(pg1) == g) begin
				for (int j = 0; j < SIMD; j++)  x_nx[j*TP +: TP] = Win1[j*T + (NP-1-g)*TP +: TP];
			end
		end
	end : blkChunk
	always_ff @(posedge clk) begin
		if (en) begin
			X2 <= x_nx;
			X3 <= X2;
		end
	end

	// Stage 3: the weight word.  A block-RAM ROM (or the UltraRAM) is read in stage 2 and
	// its word passes one fabric register (RD_REG = 2); a LUT ROM is read in stage 3 (its
	// logic, then the register).  Its style is a placement decision (the DSE weighs LUTs
	// against block RAMs), so it is fixed here, not left to the synthesis tool's heuristics.
	logic [PE*SIMD*W-1:0]  Wgt3;
	if (WGT_RAM == 2) begin : genWgtStream
		// the head word is taken at the issue edge and registered twice more, so it stands
		// beside X3 like a ROM's word; it leaves the FIFO with its last plane group.  The
		// two registers stay flip-flops (a wide word as shift registers would take a LUT
		// site a bit: LUTs are what the budget counts)
		logic  ws_vld;
		logic [PE*SIMD*W-1:0]  ws_head;
		(* keep, shreg_extract = "no" *)
		logic [PE*SIMD*W-1:0]  Ws1, Ws2;
		stream_fifo #(
			.WIDTH(PE*SIMD*W), .DEPTH(WS_D)
		) inst_ws (
			.clk, .rst,
			.irdy(wl_rdy), .ivld(wl_we), .idat(wl_dat),
			.ordy(issue && pg_last), .ovld(ws_vld), .odat(ws_head)
		);
		assign	wgt_ok = ws_vld;
		always_ff @(posedge clk) begin
			if (en) begin
				Ws1 <= ws_head;
				Ws2 <= Ws1;
				Wgt3 <= Ws2;
			end
		end
		wire  unused_wl = &{1'b0, wl_addr, WAddr2};
	end : genWgtStream
	else if (WGT_RAM == 3) begin : genWgtUram
		mem_ram #(
			.DEPTH(NF*SF), .WIDTH(PE*SIMD*W), .STYLE(2), .WRITE(1), .RD_REG(2)
		) inst_wgt (
			.clk,
			.we(wl_we), .waddr(wl_addr), .wdat(wl_dat),
			.re(en), .raddr(WAddr1), .rdat(Wgt3)
		);
		assign	wgt_ok = 1'b1;
		assign	wl_rdy = 1'b1;
		wire  unused_wgt = &{1'b0, WAddr2};
	end : genWgtUram
	else begin : genWgtRom
		mem_ram #(
			.DEPTH(NF*SF), .WIDTH(PE*SIMD*W), .STYLE(WGT_RAM), .WRITE(0), .RD_REG(1 + WGT_RAM),
			.INIT_FILE(WEIGHT_FILE)
		) inst_wgt (
			.clk,
			.we(1'b0), .waddr({WA_W{1'b0}}), .wdat({(PE*SIMD*W){1'b0}}),
			.re(en), .raddr((WGT_RAM == 1)? WAddr1 : WAddr2), .rdat(Wgt3)
		);
		assign	wgt_ok = 1'b1;
		assign	wl_rdy = 1'b0;
		wire  unused_wl = &{1'b0, wl_we, wl_addr, wl_dat};
	end : genWgtRom

	// Stages 4 .. 4+NS: the PE dot products, of the steps issued (X3 and Wgt3 hold the step
	// of Ctl[2]; part is used only for a valid step at the accumulator)
	logic [PE*PS_W-1:0]  part;
	spike_dot #(
		.PE(PE), .SIMD(SIMD), .TP(TP), .W(W), .ADDER(ADDER), .LEVELS(LEVELS)
	) inst_dot (
		.clk, .en, .vld(Ctl[2*CTL_W + C_V]), .wgt(Wgt3), .x(X3), .part
	);

	//-----------------------------------------------------------------------
	// Accumulator: V_nf += part << TP*(NP-1-g).  The first step of a fold's beat starts
	// from the fold's sum so far (0 on the window's first beat); its last step writes it
	// back, or, on the window's last beat, hands the complete V to the neuron.
	logic [CTL_W-1:0]  ca;       // the step at the accumulator
	logic [BA_W-1:0]  nf_rd;     // its successor's fold, for the registered reads
	logic [PE*ACC_W-1:0]  Acc;
	logic [PE*ACC_W-1:0]  acc_nx;
	logic [PE*ACC_W-1:0]  vsum;  // the fold's sum before this beat
	logic  VVld;
	logic [PE*ACC_W-1:0]  VOut;
	logic [PE*B_W-1:0]  BiasO;
	logic [PE*TH_W-1:0]  ThrO;
	logic  n_irdy;

	assign	ca = Ctl[(D-1)*CTL_W +: CTL_W];
	assign	nf_rd = Ctl[(D-2)*CTL_W + C_NF +: BA_W];
	assign	en = 1'b1;

	if (NF > 1) begin : genAccMem
		mem_ram #(
			.DEPTH(NF), .WIDTH(PE*ACC_W), .STYLE(ACC_RAM), .WRITE(1), .RD_REG(1)
		) inst_acc (
			.clk,
			.we(en && ca[C_V] && ca[C_LG]), .waddr(ca[C_NF +: BA_W]), .wdat(acc_nx),
			.re(en), .raddr(nf_rd), .rdat(vsum)
		);
	end : genAccMem
	else begin : genAccReg
		assign	vsum = Acc;
		wire  unused = &{1'b0, nf_rd};
	end : genAccReg

	always_comb begin : blkAcc
		logic signed [ACC_W-1:0]  base, term;
		for (int p = 0; p < PE; p++) begin
			term = ACC_W'($signed(part[p*PS_W +: PS_W]));
			for (int g = 0; g < NP; g++) begin
				if (32'(ca[C_PG +: NPW]) == g)  term = term <<< (TP*(NP-1-g));
			end
			if (!ca[C_FG])  base = $signed(Acc[p*ACC_W +: ACC_W]);
			else if (ca[C_FS])  base = '0;
			else  base = $signed(vsum[p*ACC_W +: ACC_W]);
			acc_nx[p*ACC_W +: ACC_W] = base + term;
		end
	end : blkAcc

	always_ff @(posedge clk) begin
		if (rst)  VVld <= 0;
		else if (en)  VVld <= ca[C_V] && ca[C_LG] && ca[C_LS];
	end
	always_ff @(posedge clk) begin
		if (en && ca[C_V]) begin
			Acc <= acc_nx;
			if (ca[C_LG] && ca[C_LS])  VOut <= acc_nx;
		end
	end

	// Bias and threshold ROMs, one word per channel fold, read so that the word stands
	// beside VOut (a block-RAM word registered once more, RD_REG = 2)
	logic [BA_W-1:0]  nf_par;
	assign	nf_par = (PAR_RAM == 1)? nf_rd : ca[C_NF +: BA_W];
	mem_ram #(
		.DEPTH(NF), .WIDTH(PE*B_W), .STYLE(PAR_RAM), .WRITE(0), .RD_REG(1 + PAR_RAM),
		.INIT_FILE(BIAS_FILE)
	) inst_bias (
		.clk,
		.we(1'b0), .waddr({BA_W{1'b0}}), .wdat({(PE*B_W){1'b0}}),
		.re(en), .raddr(nf_par), .rdat(BiasO)
	);

	if (OUTPUT == 0) begin : genThresholds
		mem_ram #(
			.DEPTH(NF), .WIDTH(PE*TH_W), .STYLE(PAR_RAM), .WRITE(0), .RD_REG(1 + PAR_RAM),
			.INIT_FILE(THRESH_FILE)
		) inst_thr (
			.clk,
			.we(1'b0), .waddr({BA_W{1'b0}}), .wdat({(PE*TH_W){1'b0}}),
			.re(en), .raddr(nf_par), .rdat(ThrO)
		);
	end : genThresholds
	else begin : genNoThresholds
		assign	ThrO = '0;
	end : genNoThresholds

	//-----------------------------------------------------------------------
	// Neuron, then the output FIFO.  The pipeline never stalls: a step that emits an output
	// beat issues only with a credit (Cr < OFD), so the FIFO always has room for every beat
	// in flight; the consumer's ready reaches the credit counter and nothing else.
	logic  n_ovld, f_irdy;
	logic [PE*ODW-1:0]  n_odat;
	neuron #(
		.PE(PE), .ACC_W(ACC_W), .F(F), .B_W(B_W), .TH_W(TH_W), .T(T),
		.OUTPUT(OUTPUT), .OUT_W(OUT_W)
	) inst_neuron (
		.clk, .rst,
		.irdy(n_irdy), .ivld(VVld), .idat(VOut), .ibias(BiasO), .ithr(ThrO),
		.ordy(1'b1), .ovld(n_ovld), .odat(n_odat)
	);

	always_ff @(posedge clk) begin
		if (rst)  Cr <= 0;
		else  Cr <= Cr + CRW'(outstep) - CRW'(ovld && ordy);
	end
	wire  unused_rdy = &{1'b0, n_irdy, f_irdy};   // (never low: the credit keeps room)

	stream_fifo #(
		.WIDTH(PE*ODW), .DEPTH(OFD)
	) inst_out (
		.clk, .rst,
		.irdy(f_irdy), .ivld(n_ovld), .idat(n_odat),
		.ordy, .ovld, .odat
	);

endmodule : synaptic_engine
