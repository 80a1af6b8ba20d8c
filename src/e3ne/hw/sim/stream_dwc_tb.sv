/******************************************************************************
 * @brief   Self-checking bench for stream_dwc.
 * @author  e3ne
 *
 * @description
 *  Sends N random input beats of IN_LANES lanes with random input gaps
 *  (IGAP % of cycles idle) and random output back-pressure (ordy low OSTALL %
 *  of cycles). Every lane sent is queued in stream order (lane 0 of a beat
 *  first); each output beat must hold the next OUT_LANES queued lanes, lane 0
 *  at odat[0 +: LANE_W]. Reports mismatches, spurious beats (ovld while fewer
 *  than OUT_LANES lanes are outstanding or offered) and missing beats, and checks the
 *  handshake rules of src/e3ne/hw/README.md on the output: valid and payload
 *  stay put until the transfer (rule 2) and do not change when ordy changes
 *  within a cycle (rule 3). N*IN_LANES must be a multiple of OUT_LANES.
 *
 *  Prints "CYCLES <NAME> <n> IN <beats> OUT <beats>", n = cycles from the
 *  first input transfer to the last output transfer (inclusive), then
 *  "PASS <NAME> ..." or "FAIL <NAME> ...". STANDALONE = 1 ends with $finish;
 *  with STANDALONE = 0 a wrapper reads Done/Ok and finishes.
 *****************************************************************************/

module stream_dwc_tb #(
	parameter int IN_LANES   = 4,     // DUT: lanes per input beat
	parameter int OUT_LANES  = 1,     // DUT: lanes per output beat
	parameter int LANE_W     = 8,     // DUT: bits per lane
	parameter int N          = 1200,  // input beats to send
	parameter int IGAP       = 30,    // % of cycles the source idles
	parameter int OSTALL     = 30,    // % of cycles the sink holds ordy low
	parameter int SEED       = 1,     // $urandom seed
	parameter int STANDALONE = 1,     // 1: $finish here; 0: a wrapper finishes
	parameter     NAME = "stream_dwc_tb"  // tag in the messages
);

	localparam int IN_W  = IN_LANES * LANE_W;
	localparam int OUT_W = OUT_LANES * LANE_W;
	localparam int N_OUT = N * IN_LANES / OUT_LANES;  // output beats expected
	localparam int LIMIT = 100 * (N + N_OUT) + 1000;  // cycles before "missing"

	logic  clk = 0;
	always #5 clk = !clk;
	logic  rst = 1;

	logic  irdy;
	logic  ivld = 0;
	logic [IN_W-1:0]  idat = '0;
	logic  ordy = 0;
	logic  ovld;
	logic [OUT_W-1:0]  odat;

	stream_dwc #(.IN_LANES(IN_LANES), .OUT_LANES(OUT_LANES), .LANE_W(LANE_W)) dut (
		.clk, .rst,
		.irdy, .ivld, .idat,
		.ordy, .ovld, .odat
	);

	function automatic logic [IN_W-1:0] rand_word();
		logic [IN_W+31:0]  w;
		w = '0;
		for (int i = 0; i < IN_W; i += 32)  w[i +: 32] = $urandom;
		return w[IN_W-1:0];
	endfunction

	//-------------------------------------------------------------------------
	// Scoreboard state
	logic [LANE_W-1:0]  Q[$];  // lanes sent, not yet received, in stream order
	int  Cycle = 0;
	int  Scheduled = 0;        // beats put on idat
	int  Sent = 0;             // input transfers
	int  Recv = 0;             // output transfers
	int  FirstIn = -1;
	int  LastOut = -1;
	int  Errors = 0;
	logic  Hold = 0;           // ovld && !ordy at the previous edge
	logic [OUT_W-1:0]  HoldDat;
	logic  Done = 0;
	logic  Ok = 0;
	logic  V0;                 // rule 3 samples
	logic [OUT_W-1:0]  D0;
	logic [OUT_W-1:0]  Exp;
	int unsigned  Seed = SEED;
	int unsigned  First;       // first $urandom value after seeding

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
			// input side: queue the lanes of a transfer, lane 0 first
			if (ivld && irdy) begin
				for (int k = 0; k < IN_LANES; k++)  Q.push_back(idat[k*LANE_W +: LANE_W]);
				if (Sent == 0)  FirstIn = Cycle;
				Sent++;
			end
			// output side
			if ($isunknown(ovld) || (ovld && $isunknown(odat))) begin
				Errors++;
				$display("FAIL %s: cycle %0d: X on ovld/odat", NAME, Cycle);
			end
			if (Hold && (ovld !== 1 || odat !== HoldDat)) begin
				Errors++;
				$display("FAIL %s: cycle %0d: valid/payload changed before the transfer",
					NAME, Cycle);
			end
			// lanes the DUT may show: those taken, plus an offered beat that
			// a zero-latency (IN_LANES == OUT_LANES) DUT passes through
			if (ovld === 1 && Q.size() + ((ivld && !irdy) ? IN_LANES : 0) < OUT_LANES) begin
				Errors++;
				$display("FAIL %s: cycle %0d: spurious beat %h (%0d lanes outstanding)",
					NAME, Cycle, odat, Q.size());
			end
			else if (ovld && ordy) begin
				for (int k = 0; k < OUT_LANES; k++)  Exp[k*LANE_W +: LANE_W] = Q.pop_front();
				if (odat !== Exp) begin
					Errors++;
					if (Errors < 10)
						$display("FAIL %s: beat %0d: got %h, expected %h", NAME, Recv, odat, Exp);
				end
				Recv++;
				LastOut = Cycle;
			end
			Hold    <= ovld && !ordy;
			HoldDat <= odat;
			// offer the next beat once the current one is taken
			if (!ivld || irdy) begin
				if (Scheduled < N && ($urandom % 100) >= IGAP) begin
					ivld <= 1;
					idat <= rand_word();
					Scheduled++;
				end
				else  ivld <= 0;
			end
			Cycle++;
		end
	end

	initial begin
		if ((N * IN_LANES) % OUT_LANES != 0) begin
			$display("FAIL %s: N*IN_LANES (%0d) is not a multiple of OUT_LANES (%0d)",
				NAME, N * IN_LANES, OUT_LANES);
			$finish;
		end
		First = $urandom(Seed);
		repeat (4) @(posedge clk);
		rst = 0;
		while (Recv < N_OUT && Cycle < LIMIT)  @(posedge clk);
		repeat (20) @(posedge clk);  // spurious beats after the last one
		if (Recv < N_OUT) begin
			Errors++;
			$display("FAIL %s: %0d of %0d beats missing after %0d cycles",
				NAME, N_OUT - Recv, N_OUT, Cycle);
		end
		$display("CYCLES %s %0d IN %0d OUT %0d", NAME, LastOut - FirstIn + 1, Sent, Recv);
		Ok = (Errors == 0);
		if (Ok)  $display("PASS %s: IN_LANES=%0d OUT_LANES=%0d LANE_W=%0d, %0d beats, seed %0d (%0d)",
			NAME, IN_LANES, OUT_LANES, LANE_W, N, SEED, First);
		else     $display("FAIL %s: %0d errors", NAME, Errors);
		Done = 1;
		if (STANDALONE != 0)  $finish;
	end

endmodule : stream_dwc_tb
