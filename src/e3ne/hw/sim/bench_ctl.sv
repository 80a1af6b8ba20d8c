/******************************************************************************
 * @brief   Bench control: clock, reset, cycle count, end of test, verdict.
 * @author  e3ne
 *
 * @description
 *  Makes a 10-unit clock and a reset of 4 cycles, seeds $urandom with SEED,
 *  and counts the cycles after reset (cycle, for the other bench processes).
 *  The test ends DRAIN cycles after the N_OUT-th output beat (so spurious
 *  beats after the last one are seen), or after IDLE cycles without a
 *  transfer on either side (IDLE > 0), or at cycle LIMIT (LIMIT > 0), or
 *  after more than MAX_ERRORS errors. It then prints
 *    "CYCLES <NAME> <n> IN <input beats> OUT <output beats>" (n = cycles
 *    from the first input transfer to the last output transfer, inclusive),
 *    "LATENCY <NAME> <first input to first output transfer>",
 *  a FAIL line for a watchdog, missing output beats or input beats not
 *  taken, and "PASS <NAME> ..." or "FAIL <NAME>: <n> errors". ok is high
 *  when there were no errors and exactly N_IN beats went in and N_OUT came
 *  out; done rises 1 time unit after ok is set. STANDALONE = 1 ends with $finish; with
 *  STANDALONE = 0 a wrapper reads done/ok and finishes.
 *****************************************************************************/

module bench_ctl #(
	parameter int N_IN       = 1,     // input beats to send
	parameter int N_OUT      = 1,     // output beats expected
	parameter int SEED       = 1,     // $urandom seed
	parameter int DRAIN      = 20,    // cycles after the last beat, for spurious ones
	parameter int IDLE       = 0,     // > 0: give up after this many idle cycles
	parameter int LIMIT      = 0,     // > 0: give up at this cycle
	parameter int MAX_ERRORS = 10,    // stop after more errors than this
	parameter int STANDALONE = 1,     // 1: $finish here; 0: a wrapper finishes
	parameter     NAME       = "bench"
) (
	output logic  clk,
	output logic  rst,
	output int    cycle,              // cycles since reset
	input  int    sent,               // input transfers (stream_source)
	input  int    first_in,           // cycle of the first input transfer
	input  int    recv,               // output transfers (stream_sink)
	input  int    first_out,          // cycle of the first output transfer
	input  int    last_out,           // cycle of the last output transfer
	input  int    errors,             // all errors found by the bench processes
	output logic  done,
	output logic  ok
);

	int unsigned  Seed = SEED;
	int unsigned  First;    // first $urandom value after seeding
	int  Idle = 0;          // cycles without a change of sent or recv
	int  Tail = 0;          // cycles since the N_OUT-th beat
	int  SentQ = 0;
	int  RecvQ = 0;
	int  Errors;
	logic  Stop = 0;

	initial begin
		clk   = 0;
		rst   = 1;
		cycle = 0;
		done  = 0;
		ok    = 0;
	end
	always #5 clk = !clk;

	always @(posedge clk) begin
		if (!rst) begin
			cycle <= cycle + 1;
			Idle  <= (sent != SentQ || recv != RecvQ) ? 0 : Idle + 1;
			SentQ <= sent;
			RecvQ <= recv;
			if (recv >= N_OUT)  Tail <= Tail + 1;
			if (Tail >= DRAIN || (IDLE > 0 && Idle >= IDLE) || (LIMIT > 0 && cycle >= LIMIT)
				|| errors > MAX_ERRORS)
				Stop <= 1;
		end
	end

	initial begin
		First = $urandom(Seed);
		repeat (4) @(posedge clk);
		rst <= 0;
		wait (Stop);
		@(negedge clk);  // the checks of the last edge are counted
		Errors = errors;
		$display("CYCLES %s %0d IN %0d OUT %0d", NAME, last_out - first_in + 1, sent, recv);
		$display("LATENCY %s %0d", NAME, first_out - first_in);
		if (IDLE > 0 && Idle >= IDLE) begin
			Errors++;
			$display("FAIL %s: no transfer for %0d cycles", NAME, IDLE);
		end
		if (recv < N_OUT) begin
			Errors++;
			$display("FAIL %s: %0d of %0d output beats missing after %0d cycles",
				NAME, N_OUT - recv, N_OUT, cycle);
		end
		if (sent < N_IN) begin
			Errors++;
			$display("FAIL %s: %0d of %0d input beats not taken", NAME, N_IN - sent, N_IN);
		end
		ok = (Errors == 0);
		if (ok)  $display("PASS %s: %0d beats in, %0d out, seed %0d (%0d)",
			NAME, N_IN, N_OUT, SEED, First);
		else     $display("FAIL %s: %0d errors", NAME, Errors);
		#1;  // ok reaches a wrapper (through the ports) before done does
		done = 1;
		if (STANDALONE != 0)  $finish;
	end

endmodule : bench_ctl
