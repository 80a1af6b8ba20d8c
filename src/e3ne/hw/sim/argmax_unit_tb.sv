/******************************************************************************
 * @brief   Self-checking bench for argmax_unit, driven by hex files.
 * @author  e3ne
 *
 * @description
 *  STIM_FILE holds N_IN input beats (LANES*SCORE_W bits each, one hex word a
 *  line): the score beats of N_IN/BEATS images, written by
 *  tests/hw/test_argmax_unit.py. EXP_FILE holds the N_OUT expected output
 *  beats as {olast, odat} (1 + LANES*SCORE_W bits), computed there: each
 *  image's score beats, then its class beat (argmax, lowest index wins ties,
 *  DESIGN.md §2). The bench sends the stimuli with random gaps (IGAP % of
 *  cycles idle), holds the output back at random (ordy low OSTALL % of
 *  cycles), compares every output beat (odat and olast) in order, and reports
 *  mismatches, spurious and missing beats. It checks the handshake rules of
 *  src/e3ne/hw/README.md on the output: valid and payload (odat, olast) stay
 *  put until the transfer (rule 2) and do not change when ordy changes
 *  within a cycle (rule 3).
 *
 *  Prints "CYCLES <NAME> <n> IN <beats> OUT <beats>", n = cycles from the
 *  first input transfer to the last output transfer (inclusive), then
 *  "PASS <NAME> ..." or "FAIL <NAME> ...". STANDALONE = 1 ends with $finish;
 *  with STANDALONE = 0 a wrapper reads Done/Ok and finishes.
 *****************************************************************************/

module argmax_unit_tb #(
	parameter int N_CLASSES  = 10,   // DUT: scores per image
	parameter int LANES      = 2,    // DUT: scores per beat
	parameter int SCORE_W    = 8,    // DUT: bits per score
	parameter int N_IN       = 5,    // input beats in STIM_FILE
	parameter int N_OUT      = 6,    // output beats in EXP_FILE
	parameter     STIM_FILE  = "stim.hex",
	parameter     EXP_FILE   = "exp.hex",
	parameter int IGAP       = 30,   // % of cycles the source idles
	parameter int OSTALL     = 30,   // % of cycles the sink holds ordy low
	parameter int SEED       = 1,    // $urandom seed
	parameter int STANDALONE = 1,    // 1: $finish here; 0: a wrapper finishes
	parameter     NAME = "argmax_unit_tb"  // tag in the messages
);

	localparam int DW    = LANES * SCORE_W;
	localparam int BEATS = N_CLASSES / LANES;  // score beats per image
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
	logic  olast;
	wire [DW:0]  obeat = {olast, odat};

	argmax_unit #(.N_CLASSES(N_CLASSES), .LANES(LANES), .SCORE_W(SCORE_W)) dut (
		.clk, .rst,
		.irdy, .ivld, .idat,
		.ordy, .ovld, .odat, .olast
	);

	logic [DW-1:0]  Stim[0:N_IN-1];
	logic [DW:0]    Exp[0:N_OUT-1];

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
	logic [DW:0]    HoldDat;
	logic  Done = 0;
	logic  Ok = 0;
	logic  V0;           // rule 3 samples
	logic [DW:0]    D0;
	int unsigned  Seed = SEED;
	int unsigned  First; // first $urandom value after seeding

	// Rule 3: ovld/odat must not react to ordy. ordy changes at the falling
	// edge; outputs are sampled before and 1 time unit after.
	always @(negedge clk) begin
		V0 = ovld;
		D0 = obeat;
		ordy = ($urandom % 100) >= OSTALL;
		#1;
		if (!rst && (ovld !== V0 || (V0 && obeat !== D0))) begin
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
			if ($isunknown(ovld) || (ovld && $isunknown(obeat))) begin
				Errors++;
				$display("FAIL %s: cycle %0d: X on ovld/odat", NAME, Cycle);
			end
			if (Hold && (ovld !== 1 || obeat !== HoldDat)) begin
				Errors++;
				$display("FAIL %s: cycle %0d: valid/payload changed before the transfer",
					NAME, Cycle);
			end
			if (ovld === 1 && Recv >= N_OUT) begin
				Errors++;
				$display("FAIL %s: cycle %0d: spurious beat %h after %0d beats",
					NAME, Cycle, obeat, N_OUT);
			end
			else if (ovld && ordy) begin
				if (obeat !== Exp[Recv]) begin
					Errors++;
					if (Errors < 10)
						$display("FAIL %s: beat %0d (image %0d, beat %0d): got {olast, odat} %h, expected %h",
							NAME, Recv, Recv / (BEATS + 1), Recv % (BEATS + 1), obeat, Exp[Recv]);
				end
				Recv++;
				LastOut = Cycle;
			end
			Hold    <= ovld && !ordy;
			HoldDat <= obeat;
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
		if (Ok)  $display("PASS %s: N_CLASSES=%0d LANES=%0d SCORE_W=%0d, %0d beats in, %0d out, seed %0d (%0d)",
			NAME, N_CLASSES, LANES, SCORE_W, N_IN, N_OUT, SEED, First);
		else     $display("FAIL %s: %0d errors", NAME, Errors);
		Done = 1;
		if (STANDALONE != 0)  $finish;
	end

endmodule : argmax_unit_tb
