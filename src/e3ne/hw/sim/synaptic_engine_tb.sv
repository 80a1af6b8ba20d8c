/**
 * @brief   Self-checking bench of synaptic_engine.sv (optionally fed by swu.sv).
 * @author  e3ne
 * @description
 *  SWU = 0: in.mem holds N_IN window beats (SIMD*T bits, the engine's input stream).
 *  SWU = 1: in.mem holds N_IN feature-map beats (CH*T bits) that pass through swu.sv
 *           (K, S, P, H, WD, C, CH) first, so the bench covers a whole conv layer.
 *  exp.mem holds the N_OUT expected output beats (PE lanes of T bits, or of OUT_W bits
 *  when OUTPUT = 1); the engine reads w.mem, b.mem and t.mem (layouts in
 *  synaptic_engine.sv).  All files are written by tests/hw/test_synaptic_engine.py.  The
 *  source idles GAP % of the cycles, the sink holds ordy low BP % of the cycles (plusargs
 *  +GAP=, +BP= override).  Checks every beat in order, the output handshake rules (valid and
 *  payload held until the transfer, no X), missing and extra beats, and a watchdog (IDLE
 *  cycles without a transfer); prints CYCLES (first input to last output) and LATENCY
 *  (first input to first output), then PASS or FAIL.
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
	parameter int IDLE = 2000   // give up after this many cycles without any transfer
);
	localparam int IW = (SWU != 0)? CH*T : SIMD*T;
	localparam int OW = PE*((OUTPUT != 0)? OUT_W : T);
	localparam int DRAIN = IDLE/2;                      // cycles to wait for extra beats
	int unsigned  seed = SEED;   // seeds $urandom (per simulator)
	int unsigned  seeded;
	int  gap = GAP;
	int  bp = BP;

	logic  clk = 0;
	logic  rst = 1;
	always #5 clk = ~clk;

	logic [IW-1:0]  InMem [0:N_IN-1];
	logic [OW-1:0]  ExpMem [0:N_OUT-1];
	initial begin
		$readmemh("in.mem", InMem);
		$readmemh("exp.mem", ExpMem);
		seeded = $urandom(seed);
		if ($value$plusargs("GAP=%d", gap))  $display("GAP %0d", gap);
		if ($value$plusargs("BP=%d", bp))  $display("BP %0d", bp);
		repeat (4) @(posedge clk);
		rst <= 0;
	end

	logic  irdy;
	logic  ivld;
	logic [IW-1:0]  idat;
	logic  ordy;
	logic  ovld;
	logic [OW-1:0]  odat;

	logic  wrdy;
	logic  wvld;
	logic [SIMD*T-1:0]  wdat;
	if (SWU != 0) begin : genSwu
		swu #(
			.K(K), .S(S), .P(P), .H(H), .WD(WD), .C(C), .CH(CH), .T(T), .SIMD(SIMD)
		) swu_i (
			.clk, .rst,
			.irdy, .ivld, .idat,
			.ordy(wrdy), .ovld(wvld), .odat(wdat)
		);
	end : genSwu
	else begin : genDirect
		assign	irdy = wrdy;
		assign	wvld = ivld;
		assign	wdat = idat;
	end : genDirect

	synaptic_engine #(
		.MW(MW), .C_OUT(C_OUT), .PE(PE), .SIMD(SIMD), .T(T), .TP(TP), .W(W), .ACC_W(ACC_W),
		.F(F), .B_W(B_W), .TH_W(TH_W), .OUTPUT(OUTPUT), .OUT_W(OUT_W), .ADDER(ADDER),
		.WEIGHT_FILE("w.mem"), .BIAS_FILE("b.mem"), .THRESH_FILE("t.mem")
	) dut (
		.clk, .rst,
		.irdy(wrdy), .ivld(wvld), .idat(wdat),
		.ordy, .ovld, .odat
	);

	// Source: next beat index ni, random gaps, payload held until taken
	int  ni;
	int  n;
	always @(posedge clk) begin
		if (rst) begin
			ivld <= 0;
			idat <= 'x;
			ni <= 0;
		end
		else begin
			n = ni;
			if (ivld && irdy)  n = n + 1;
			if (!ivld || irdy) begin
				if (n < N_IN && ($urandom % 100) >= gap) begin
					ivld <= 1;
					idat <= InMem[n];
				end
				else begin
					ivld <= 0;
					idat <= 'x;
				end
			end
			ni <= n;
		end
	end

	// Sink with random back-pressure
	always @(posedge clk) begin
		if (rst)  ordy <= 0;
		else  ordy <= ($urandom % 100) >= bp;
	end

	// Checker
	int  no = 0;
	int  errors = 0;
	int  cyc = 0;
	int  first = -1;
	int  last = -1;
	int  first_out = -1;
	int  tail = 0;
	int  idle = 0;     // cycles since the last transfer on either side
	logic  PrevVld = 0;
	logic  PrevRdy = 0;
	logic [OW-1:0]  PrevDat;
	always @(posedge clk) begin
		if (!rst) begin
			cyc <= cyc + 1;
			if (ivld && irdy && first < 0)  first <= cyc;
			if ($isunknown(ovld) || $isunknown(irdy)) begin
				$display("FAIL: X on ovld/irdy at cycle %0d", cyc);
				errors <= errors + 1;
			end
			if (PrevVld && !PrevRdy && (!ovld || odat !== PrevDat)) begin
				$display("FAIL: output beat %0d changed (valid or payload) before its transfer at cycle %0d", no, cyc);
				errors <= errors + 1;
			end
			PrevVld <= ovld;
			PrevRdy <= ordy;
			PrevDat <= odat;
			if (ovld && ordy) begin
				if (no >= N_OUT) begin
					$display("FAIL: extra output beat %0d: %h", no, odat);
					errors <= errors + 1;
				end
				else if (odat !== ExpMem[no]) begin
					$display("FAIL: beat %0d: got %h expected %h", no, odat, ExpMem[no]);
					errors <= errors + 1;
				end
				no <= no + 1;
				last <= cyc;
				if (first_out < 0)  first_out <= cyc;
			end
			if (no >= N_OUT)  tail <= tail + 1;
			idle <= ((ivld && irdy) || (ovld && ordy))? 0 : idle + 1;
			if (idle == IDLE)  $display("FAIL: no transfer for %0d cycles", IDLE);
			if (tail == DRAIN || idle == IDLE || errors > 10) begin
				$display("CYCLES %0d", last - first + 1);
				$display("LATENCY %0d", first_out - first);
				$display("BEATS in %0d/%0d out %0d/%0d", ni, N_IN, no, N_OUT);
				if (errors == 0 && no == N_OUT && ni == N_IN)  $display("PASS");
				else begin
					if (no < N_OUT)  $display("FAIL: %0d output beats missing", N_OUT - no);
					if (ni < N_IN)  $display("FAIL: %0d input beats not taken", N_IN - ni);
					$display("FAIL: %0d errors", errors);
				end
				$finish;
			end
		end
	end

endmodule : synaptic_engine_tb
