/**
 * @brief   Self-checking bench of swu.sv.
 * @author  e3ne
 * @description
 *  Reads the input beats from in.mem (N_IN words of CH*T bits) and the expected window
 *  beats from exp.mem (N_OUT words of SIMD*T bits), both written by tests/hw/test_swu.py
 *  into the working directory.  The source idles GAP % of the cycles and the sink holds
 *  ordy low BP % of the cycles, both from $urandom (plusargs +GAP=, +BP= override).
 *  Checks every output beat in order, the handshake rules on the output (valid and
 *  payload held until the transfer, no X), missing and extra beats, and a watchdog (IDLE
 *  cycles without a transfer); prints "CYCLES <first input to last output>", then PASS
 *  or FAIL, and calls $finish.
 */
module swu_tb #(
	parameter int K = 3,        // kernel
	parameter int S = 1,        // stride
	parameter int P = 0,        // padding
	parameter int H = 8,        // input height
	parameter int WD = 8,       // input width
	parameter int C = 1,        // channels
	parameter int CH = 1,       // input channels per beat
	parameter int T = 4,        // activation bits
	parameter int SIMD = 1,     // output elements per beat
	parameter int N_IN = 64,    // input beats in in.mem
	parameter int N_OUT = 36,   // output beats in exp.mem
	parameter int GAP = 30,     // % of cycles the source idles (or plusarg +GAP=)
	parameter int BP = 30,      // % of cycles the sink is not ready (or plusarg +BP=)
	parameter int SEED = 1,     // $urandom seed
	parameter int IDLE = 2000   // give up after this many cycles without any transfer
);
	localparam int IW = CH*T;
	localparam int OW = SIMD*T;
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

	swu #(
		.K(K), .S(S), .P(P), .H(H), .WD(WD), .C(C), .CH(CH), .T(T), .SIMD(SIMD)
	) dut (
		.clk, .rst,
		.irdy, .ivld, .idat,
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
			end
			if (no >= N_OUT)  tail <= tail + 1;
			idle <= ((ivld && irdy) || (ovld && ordy))? 0 : idle + 1;
			if (idle == IDLE)  $display("FAIL: no transfer for %0d cycles", IDLE);
			if (tail == DRAIN || idle == IDLE || errors > 10) begin
				$display("CYCLES %0d", last - first + 1);
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

endmodule : swu_tb
