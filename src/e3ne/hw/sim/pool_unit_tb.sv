/******************************************************************************
 * @brief   Self-checking bench for pool_unit, driven by hex files.
 * @author  e3ne
 *
 * @description
 *  STIM_FILE holds N_IN input beats (SIMD*T bits each, one hex word a line):
 *  the SWU window stream written by tests/hw/test_pool_unit.py. EXP_FILE holds
 *  the N_OUT expected output beats, computed there from the DESIGN.md §2
 *  formulas. The bench sends the stimuli with random gaps (IGAP % of cycles
 *  idle), holds the output back at random (ordy low OSTALL % of cycles),
 *  compares every output beat in order, and reports mismatches, spurious and
 *  missing beats. It checks the handshake rules of src/e3ne/hw/README.md on
 *  the output: valid and payload stay put until the transfer (rule 2) and do
 *  not change when ordy changes within a cycle (rule 3).
 *
 *  Prints "CYCLES <NAME> <n> IN <beats> OUT <beats>", n = cycles from the
 *  first input transfer to the last output transfer (inclusive), then
 *  "PASS <NAME> ..." or "FAIL <NAME> ...". STANDALONE = 1 ends with $finish;
 *  with STANDALONE = 0 a wrapper reads Done/Ok and finishes.
 *****************************************************************************/

module pool_unit_tb #(
	parameter int T          = 4,    // DUT: bits per activation
	parameter int C          = 4,    // DUT: channels
	parameter int K          = 2,    // DUT: kernel size
	parameter int SIMD       = 2,    // DUT: channels per beat
	parameter int MODE       = 0,    // DUT: 0 max, 1 avg
	parameter int N_IN       = 16,   // input beats in STIM_FILE
	parameter int N_OUT      = 2,    // output beats in EXP_FILE
	parameter     STIM_FILE  = "stim.hex",
	parameter     EXP_FILE   = "exp.hex",
	parameter int IGAP       = 30,   // % of cycles the source idles
	parameter int OSTALL     = 30,   // % of cycles the sink holds ordy low
	parameter int SEED       = 1,    // $urandom seed
	parameter int STANDALONE = 1,    // 1: $finish here; 0: a wrapper finishes
	parameter     NAME = "pool_unit_tb"  // tag in the messages
);

	localparam int DW    = SIMD * T;
	localparam int LIMIT = 100 * (N_IN + N_OUT) + 1000;  // cycles before "missing"

	logic  clk = 0;
	always #5 clk = !clk;
	logic  rst = 1;

	logic  irdy;
	logic  ivld = 0;
	logic [DW-1:0]  idat = '0;
	logic  ordy = 0;
	logic  ovld;
	logic [DW-1:0]  odat;

	pool_unit #(.T(T), .C(C), .K(K), .SIMD(SIMD), .MODE(MODE)) dut (
		.clk, .rst,
		.irdy, .ivld, .idat,
		.ordy, .ovld, .odat
	);

	logic [DW-1:0]  Stim[0:N_IN-1];
	logic [DW-1:0]  Exp[0:N_OUT-1];

	//-------------------------------------------------------------------------
	// Scoreboard state
	int  Cycle = 0;
	int  Scheduled = 0;  // beats put on idat
	int  Sent = 0;       // input transfers
	int  Recv = 0;       // output transfers
	int  FirstIn = -1;
	int  LastOut = -1;
	int  Errors = 0;
	logic  Hold = 0;     // ovld && !ordy at the previous edge
	logic [DW-1:0]  HoldDat;
	logic  Done = 0;
	logic  Ok = 0;
	logic  V0;           // rule 3 samples
	logic [DW-1:0]  D0;
	int unsigned  Seed = SEED;
	int unsigned  First; // first $urandom value after seeding

	// Rule 3: ovld/odat must not react to ordy. ordy changes at the falling
	// edge; outputs are sampled before and 1 time unit after.
	always @(negedge clk) begin
		V0 = ovld;
		D0 = odat;
		ordy = ($urandom % 100) >= OSTALL;
		#1;
		if (!rst && (ovld !== V0 || (V0 && odat !== D0))) begin
			Errors++;
			$display("FAIL %s: cycle %0d: ovld/odat changed with ordy", NAME, Cycle);
		end
	end

	always @(posedge clk) begin
		if (!rst) begin
			if (ivld && irdy) begin
				if (Sent == 0)  FirstIn = Cycle;
				Sent++;
			end
			if ($isunknown(ovld) || (ovld && $isunknown(odat))) begin
				Errors++;
				$display("FAIL %s: cycle %0d: X on ovld/odat", NAME, Cycle);
			end
			if (Hold && (ovld !== 1 || odat !== HoldDat)) begin
				Errors++;
				$display("FAIL %s: cycle %0d: valid/payload changed before the transfer",
					NAME, Cycle);
			end
			if (ovld === 1 && Recv >= N_OUT) begin
				Errors++;
				$display("FAIL %s: cycle %0d: spurious beat %h after %0d beats",
					NAME, Cycle, odat, N_OUT);
			end
			else if (ovld && ordy) begin
				if (odat !== Exp[Recv]) begin
					Errors++;
					if (Errors < 10)
						$display("FAIL %s: output beat %0d (pixel %0d, group %0d): got %h, expected %h",
							NAME, Recv, Recv / (C / SIMD), Recv % (C / SIMD), odat, Exp[Recv]);
				end
				Recv++;
				LastOut = Cycle;
			end
			Hold    <= ovld && !ordy;
			HoldDat <= odat;
			// offer the next beat once the current one is taken
			if (!ivld || irdy) begin
				if (Scheduled < N_IN && ($urandom % 100) >= IGAP) begin
					ivld <= 1;
					idat <= Stim[Scheduled];
					Scheduled++;
				end
				else  ivld <= 0;
			end
			Cycle++;
		end
	end

	initial begin
		$readmemh(STIM_FILE, Stim);
		$readmemh(EXP_FILE, Exp);
		First = $urandom(Seed);
		repeat (4) @(posedge clk);
		rst = 0;
		while (Recv < N_OUT && Cycle < LIMIT)  @(posedge clk);
		repeat (20) @(posedge clk);  // spurious beats after the last one
		if (Recv < N_OUT) begin
			Errors++;
			$display("FAIL %s: %0d of %0d beats missing after %0d cycles (%0d of %0d sent)",
				NAME, N_OUT - Recv, N_OUT, Cycle, Sent, N_IN);
		end
		$display("CYCLES %s %0d IN %0d OUT %0d", NAME, LastOut - FirstIn + 1, Sent, Recv);
		Ok = (Errors == 0);
		if (Ok)  $display("PASS %s: T=%0d C=%0d K=%0d SIMD=%0d MODE=%0d, %0d beats in, %0d out, seed %0d (%0d)",
			NAME, T, C, K, SIMD, MODE, N_IN, N_OUT, SEED, First);
		else     $display("FAIL %s: %0d errors", NAME, Errors);
		Done = 1;
		if (STANDALONE != 0)  $finish;
	end

endmodule : pool_unit_tb
