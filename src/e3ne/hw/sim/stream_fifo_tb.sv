/******************************************************************************
 * @brief   Self-checking bench for stream_fifo.
 * @author  e3ne
 *
 * @description
 *  Sends N random beats with random input gaps (IGAP % of cycles idle) and
 *  random output back-pressure (ordy low OSTALL % of cycles), scores every
 *  output beat against a queue of the sent beats (order and value), and
 *  reports mismatches, spurious and missing beats. Checks the handshake rules
 *  of src/e3ne/hw/README.md on the output: valid and payload stay put until
 *  the transfer (rule 2), and neither changes when ordy changes within a
 *  cycle (rule 3: valid never waits for ready). X on ovld, or on odat while
 *  ovld, is an error. Capacity: with fewer than DEPTH beats stored irdy must
 *  be high, and never more than DEPTH beats are stored.
 *
 *  Prints "CYCLES <NAME> <n> IN <beats> OUT <beats>", n = cycles from the
 *  first input transfer to the last output transfer (inclusive), then
 *  "PASS <NAME> ..." or "FAIL <NAME> ...". STANDALONE = 1 ends the simulation
 *  with $finish; with STANDALONE = 0 a wrapper reads Done/Ok and finishes.
 *****************************************************************************/

module stream_fifo_tb #(
	parameter int WIDTH      = 8,     // DUT: bits per beat
	parameter int DEPTH      = 4,     // DUT: capacity in beats
	parameter int N          = 2000,  // beats to send
	parameter int IGAP       = 30,    // % of cycles the source idles
	parameter int OSTALL     = 30,    // % of cycles the sink holds ordy low
	parameter int SEED       = 1,     // $urandom seed
	parameter int STANDALONE = 1,     // 1: $finish here; 0: a wrapper finishes
	parameter     NAME = "stream_fifo_tb"  // tag in the messages
);

	localparam int LIMIT = 100 * N + 1000;  // cycles before "missing beats"

	logic  clk = 0;
	always #5 clk = !clk;
	logic  rst = 1;

	logic  irdy;
	logic  ivld = 0;
	logic [WIDTH-1:0]  idat = '0;
	logic  ordy = 0;
	logic  ovld;
	logic [WIDTH-1:0]  odat;

	stream_fifo #(.WIDTH(WIDTH), .DEPTH(DEPTH)) dut (
		.clk, .rst,
		.irdy, .ivld, .idat,
		.ordy, .ovld, .odat
	);

	function automatic logic [WIDTH-1:0] rand_word();
		logic [WIDTH+31:0]  w;
		w = '0;
		for (int i = 0; i < WIDTH; i += 32)  w[i +: 32] = $urandom;
		return w[WIDTH-1:0];
	endfunction

	//-------------------------------------------------------------------------
	// Scoreboard state
	logic [WIDTH-1:0]  Q[$];  // sent, not yet received
	int  Cycle = 0;
	int  Scheduled = 0;       // beats put on idat
	int  Sent = 0;            // input transfers
	int  Recv = 0;            // output transfers
	int  FirstIn = -1;
	int  LastOut = -1;
	int  Errors = 0;
	logic  Hold = 0;          // ovld && !ordy at the previous edge
	logic [WIDTH-1:0]  HoldDat;
	logic  Done = 0;
	logic  Ok = 0;
	logic  V0;                // rule 3 samples
	logic [WIDTH-1:0]  D0;
	logic [WIDTH-1:0]  Exp;
	int unsigned  Seed = SEED;
	int unsigned  First;      // first $urandom value after seeding

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
			// capacity: exactly DEPTH beats are taken while the output stalls
			if (Sent - Recv > DEPTH || (Sent - Recv < DEPTH && irdy !== 1)) begin
				Errors++;
				$display("FAIL %s: cycle %0d: irdy=%b with %0d beats stored, DEPTH %0d",
					NAME, Cycle, irdy, Sent - Recv, DEPTH);
			end
			// input side: record the transfer
			if (ivld && irdy) begin
				Q.push_back(idat);
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
			if (ovld === 1 && Q.size() == 0) begin
				Errors++;
				$display("FAIL %s: cycle %0d: spurious beat %h", NAME, Cycle, odat);
			end
			else if (ovld && ordy) begin
				Exp = Q.pop_front();
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
		First = $urandom(Seed);
		repeat (4) @(posedge clk);
		rst = 0;
		while (Recv < N && Cycle < LIMIT)  @(posedge clk);
		repeat (20) @(posedge clk);  // spurious beats after the last one
		if (Recv < N) begin
			Errors++;
			$display("FAIL %s: %0d of %0d beats missing after %0d cycles",
				NAME, N - Recv, N, Cycle);
		end
		$display("CYCLES %s %0d IN %0d OUT %0d", NAME, LastOut - FirstIn + 1, Sent, Recv);
		Ok = (Errors == 0);
		if (Ok)  $display("PASS %s: WIDTH=%0d DEPTH=%0d, %0d beats, seed %0d (%0d)",
			NAME, WIDTH, DEPTH, N, SEED, First);
		else     $display("FAIL %s: %0d errors", NAME, Errors);
		Done = 1;
		if (STANDALONE != 0)  $finish;
	end

endmodule : stream_fifo_tb
