/**
 * @brief   Self-checking bench of synaptic_engine.sv (optionally fed by swu.sv).
 * @author  e3ne
 * @description
 *  SWU = 0: in.mem holds N_IN window beats (SIMD*T bits, the engine's input stream).
 *  SWU = 1: in.mem holds N_IN feature-map beats (CH*T bits) that pass through swu.sv
 *           (K, S, P, H, WD, C, CH) first, so the bench covers a whole conv layer.
 *  exp.mem holds the N_OUT expected output beats (PE lanes of T bits, or of OUT_W bits
 *  when OUTPUT = 1); the engine reads w.mem, b.mem and t.mem (layouts in
 *  synaptic_engine.sv).  All files are written by tests/hw/test_synaptic_engine.py.
 *  MEM_BRAM bit 3: the weights in UltraRAM (WGT_RAM = 3), written from w.mem by a
 *  weight_load.sv on a 16-bit stream (random gaps) before the first window may enter.
 *  MEM_BRAM bit 4: streamed weights (WGT_RAM = 2): w.mem's words offered on the load
 *  port in the order the engine uses them (per window, for sf, for nf: word nf*SF + sf),
 *  idling GAP % of the cycles like the input (+GAP= too), from reset on.
 *  stream_source idles GAP % of the cycles, stream_sink holds ordy low BP % of the cycles
 *  (plusargs +GAP=, +BP= override).  stream_sink checks every beat in order, the output
 *  handshake rules (valid and payload held until the transfer and not changing with ordy,
 *  no X) and extra beats; bench_ctl reports missing beats, inputs not taken and a watchdog
 *  (IDLE cycles without a transfer), prints CYCLES (first input to last output) and
 *  LATENCY (first input to first output), then PASS or FAIL, and calls $finish.
 */
module synaptic_engine_tb #(
	parameter int MW = 9,       // window length
	parameter int C_OUT = 4,    // output channels
	parameter int PE = 2,       // channels per output beat
	parameter int SIMD = 3,     // elements per window beat
	parameter int T = 4,        // activation bits
	parameter int TP = 1,       // planes per cycle
	parameter int W = 3,        // weight bits
	parameter int ACC_W = 16,   // V width
	parameter int F = 0,        // layer shift
	parameter int B_W = 8,      // bias width
	parameter int TH_W = 8,     // threshold width
	parameter int OUTPUT = 0,   // 1: output layer
	parameter int OUT_W = 24,   // U lane width when OUTPUT = 1
	parameter int ADDER = 2,    // adder style
	parameter int OGAP = 1,     // output pacing
	parameter int MEM_BRAM = 0, // block RAM: bit 0 weights, partial sums; 1 window; 2 bias/thr;
	                            // bit 3: weights in UltraRAM, loaded; bit 4: weights streamed
	parameter int SWU = 0,      // 1: swu.sv in front
	parameter int K = 3,        // swu: kernel
	parameter int S = 1,        // swu: stride
	parameter int P = 0,        // swu: padding
	parameter int H = 4,        // swu: input height
	parameter int WD = 4,       // swu: input width
	parameter int C = 1,        // swu: channels
	parameter int CH = 1,       // swu: channels per input beat
	parameter int N_IN = 64,    // input beats in in.mem
	parameter int N_OUT = 64,   // expected beats in exp.mem
	parameter int GAP = 30,     // % of cycles the source idles (or plusarg +GAP=)
	parameter int BP = 30,      // % of cycles the sink is not ready (or plusarg +BP=)
	parameter int SEED = 1,     // $urandom seed
	parameter int IDLE = 2000,  // give up after this many cycles without any transfer
	parameter     NAME = "synaptic_engine_tb"  // tag in the messages
);
	localparam int IW = (SWU != 0)? CH*T : SIMD*T;
	localparam int OW = PE*((OUTPUT != 0)? OUT_W : T);

	logic  clk, rst, irdy, ivld, ordy, ovld;
	logic [IW-1:0]  idat;
	logic [OW-1:0]  odat;

	localparam int URAM = (MEM_BRAM / 8) % 2;
	localparam int STREAM = (MEM_BRAM / 16) % 2;
	localparam int NWORD = (C_OUT/PE)*(MW/SIMD);           // weight words
	localparam int WWD = PE*SIMD*W;                        // bits per word
	localparam int LB = 16;                                // load stream bits
	localparam int NLB = (WWD + LB - 1)/LB;                // beats per word
	localparam int WA = ($clog2(NWORD) > 0)? $clog2(NWORD) : 1;

	logic  wrdy, srdy;
	logic  wvld;
	logic [SIMD*T-1:0]  wdat;
	logic  loaded;
	logic  wl_we, wl_rdy;
	logic [WA-1:0]  wl_addr;
	logic [WWD-1:0]  wl_dat;

	if (URAM != 0) begin : genLoad
		// w.mem cut into 16-bit beats, little end first, offered with random gaps from reset
		logic [WWD-1:0]  Words [0:NWORD-1];
		logic [NLB*LB-1:0]  cur;
		logic  lrdy, lvld;
		logic [LB-1:0]  ldat;
		int  Li = 0;
		int  nxt;
		initial $readmemh("w.mem", Words);
		always @(posedge clk) begin
			if (rst)  lvld <= 0;
			else begin
				nxt = Li + ((lvld && lrdy)? 1 : 0);
				Li <= nxt;
				if (!lvld || lrdy) begin
					cur = (NLB*LB)'(Words[(nxt < NWORD*NLB)? nxt / NLB : 0]);
					lvld <= nxt < NWORD*NLB && ($urandom % 3) != 0;
					ldat <= cur[(nxt % NLB)*LB +: LB];
				end
			end
		end
		weight_load #(.BUS(LB), .DEPTH(NWORD), .WIDTH(WWD)) loader (
			.clk, .rst,
			.irdy(lrdy), .ivld(lvld), .idat(ldat),
			.ordy(1'b1), .ovld(), .odat(),
			.we(wl_we), .waddr(wl_addr), .wdat(wl_dat), .done(loaded)
		);
	end : genLoad
	else if (STREAM != 0) begin : genStream
		// every window's words in the order its steps take them, N_OUT/NF windows
		localparam int NF_ = C_OUT/PE, SF_ = MW/SIMD;
		localparam int NSEND = N_OUT/NF_*NWORD;
		logic [WWD-1:0]  Words [0:NWORD-1];
		int  Wi = 0;
		int  wnx, k, wgap;
		initial begin
			$readmemh("w.mem", Words);
			if (!$value$plusargs("GAP=%d", wgap))  wgap = GAP;
		end
		always @(posedge clk) begin
			if (rst)  wl_we <= 0;
			else begin
				wnx = Wi + ((wl_we && wl_rdy)? 1 : 0);
				Wi <= wnx;
				if (!wl_we || wl_rdy) begin
					k = wnx % NWORD;
					wl_we <= wnx < NSEND && 32'($urandom % 100) >= wgap;
					wl_dat <= Words[(k % NF_)*SF_ + k / NF_];
				end
			end
		end
		assign	wl_addr = '0;
		assign	loaded = 1'b1;
	end : genStream
	else begin : genNoLoad
		assign	loaded = 1'b1;
		assign	wl_we = 1'b0;
		assign	wl_addr = '0;
		assign	wl_dat = '0;
	end : genNoLoad
	if (SWU != 0) begin : genSwu
		swu #(
			.K(K), .S(S), .P(P), .H(H), .WD(WD), .C(C), .CH(CH), .T(T), .SIMD(SIMD)
		) swu_i (
			.clk, .rst,
			.irdy(srdy), .ivld(ivld && loaded), .idat,
			.ordy(wrdy), .ovld(wvld), .odat(wdat)
		);
	end : genSwu
	else begin : genDirect
		assign	srdy = wrdy;
		assign	wvld = ivld && loaded;
		assign	wdat = idat;
	end : genDirect
	assign	irdy = srdy && loaded;   // no input before the weights are in

	synaptic_engine #(
		.MW(MW), .C_OUT(C_OUT), .PE(PE), .SIMD(SIMD), .T(T), .TP(TP), .W(W), .ACC_W(ACC_W),
		.F(F), .B_W(B_W), .TH_W(TH_W), .OUTPUT(OUTPUT), .OUT_W(OUT_W), .ADDER(ADDER), .OGAP(OGAP),
		.WGT_RAM(URAM? 3 : STREAM? 2 : MEM_BRAM % 2), .WIN_RAM((MEM_BRAM / 2) % 2), .ACC_RAM(MEM_BRAM % 2), .PAR_RAM((MEM_BRAM / 4) % 2),
		.WEIGHT_FILE((URAM || STREAM)? "" : "w.mem"), .BIAS_FILE("b.mem"), .THRESH_FILE("t.mem")
	) dut (
		.clk, .rst,
		.irdy(wrdy), .ivld(wvld), .idat(wdat),
		.ordy, .ovld, .odat,
		.wl_rdy, .wl_we, .wl_addr, .wl_dat
	);

	// in.mem -> DUT -> exp.mem
	stream_bench #(.IW(IW), .OW(OW), .N_IN(N_IN), .N_OUT(N_OUT), .GAP(GAP), .STALL(BP),
		.SEED(SEED), .DRAIN(IDLE / 2), .IDLE(IDLE), .NAME(NAME)) tb (
		.clk, .rst, .irdy, .ivld, .idat, .ordy, .ovld, .odat, .avail(N_OUT), .errors(0)
	);

endmodule : synaptic_engine_tb
